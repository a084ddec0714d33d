#!/usr/bin/env bash
# Fuzzes fanout's input readers with libFuzzer (Swift's -sanitize=fuzzer) plus AddressSanitizer.
#
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (default 60 s, every target)
#
# Builds tools/fuzz/ (a separate package depending on this one) into .build-fuzz, then runs each
# target for SECONDS_PER_TARGET with hang detection (-timeout), a memory bound (-rss_limit_mb,
# -malloc_limit_mb) and an input size bound (-max_len), starting from the committed seeds in
# tools/fuzz/corpus/<name> and a per-format dictionary. The growing corpus is kept in
# .build-fuzz/corpus/<name> between runs. Prints a summary line per target (executions, coverage,
# result) and exits non-zero on any crash, timeout, out-of-memory or leak; the reproducer's path
# is printed. Replay one with: .build-fuzz/debug/<Target> <file>
#
# Environment: FUZZ_TIMEOUT (s per input, default 10), FUZZ_RSS_MB (default 2048),
# FUZZ_MALLOC_MB (default 1024), FUZZ_MAX_LEN (bytes, default 65536), FUZZ_JOBS (parallel jobs
# per target, default none: one process), FUZZ_SEED (libFuzzer's -seed, default random),
# FUZZ_CORPUS (where the growing corpus is kept, default .build-fuzz/corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
all=(FuzzGeoJSON FuzzWKT FuzzCAP FuzzGeoPackage FuzzGeoPackageBlob FuzzBorders FuzzParticipantCSV FuzzPlaceCSV
    FuzzDispatchConfig)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

declare -A seeds=([FuzzGeoJSON]=geojson [FuzzWKT]=wkt [FuzzCAP]=cap [FuzzGeoPackage]=gpkg
    [FuzzGeoPackageBlob]=gpkg-blob [FuzzBorders]=borders
    [FuzzParticipantCSV]=participant-csv [FuzzPlaceCSV]=place-csv [FuzzDispatchConfig]=dispatch-config)
declare -A dicts=([FuzzGeoJSON]=json [FuzzWKT]=wkt [FuzzCAP]=xml [FuzzGeoPackage]=gpkg
    [FuzzGeoPackageBlob]=gpkg [FuzzBorders]=json
    [FuzzParticipantCSV]=csv [FuzzPlaceCSV]=csv [FuzzDispatchConfig]=json)
for t in "${targets[@]}"; do
    [ -n "${seeds[$t]:-}" ] || { echo "fuzz.sh: unknown target '$t' (known: ${all[*]})" >&2; exit 2; }
done

tools/ensure-deps.sh
scratch=.build-fuzz
start=$(date +%s)
mkdir -p "$scratch"
# SwiftPM keeps the main package's source list from the last plan: without a newer manifest
# here it does not see files added to the main package since (measured: "cannot find" errors).
touch tools/fuzz/Package.swift
build=0
(cd tools/fuzz && swift build --scratch-path "../../$scratch" -Xswiftc -sanitize=fuzzer,address) \
    >"$scratch/build.log" 2>&1 || build=$?
# gold warns about every ASan helper symbol it cannot export: noise, left out.
grep -v "Cannot export local symbol" "$scratch/build.log" | tail -n 20 >&2
[ "$build" -eq 0 ] || { echo "fuzz.sh: the sanitizer build failed (log: $scratch/build.log)" >&2; exit 2; }
echo "fuzz.sh: sanitizer build took $(($(date +%s) - start)) s" >&2

# Swift's own crash backtracer reads freed memory under ASan and buries the real report: off.
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS="suppressions=$PWD/tools/fuzz/lsan.supp:print_suppressions=0"
failed=0
summary=()
for t in "${targets[@]}"; do
    work="${FUZZ_CORPUS:-$scratch/corpus}/${seeds[$t]}"
    artifacts="$scratch/artifacts/$t/"
    log="$scratch/logs/$t.log"
    mkdir -p "$work" "$artifacts" "$(dirname "$log")"
    status=0
    "$scratch/debug/$t" "$work" "tools/fuzz/corpus/${seeds[$t]}" \
        -dict="tools/fuzz/dict/${dicts[$t]}.dict" -max_total_time="$seconds" \
        -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -malloc_limit_mb="${FUZZ_MALLOC_MB:-1024}" -max_len="${FUZZ_MAX_LEN:-65536}" \
        ${FUZZ_JOBS:+-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS} ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
        -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    corpus=$(find "$work" -type f | wc -l)
    if [ "$status" -eq 0 ]; then
        result=ok
    else
        failed=1
        reproducer=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //')
        kind=$(grep -o -m1 -E 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [a-z-]+|fuzz property violated|Fatal error' "$log" || echo "exit $status")
        result="FAILED ($kind): reproducer ${reproducer:-none}, log $log"
    fi
    summary+=("$(printf '%-20s %6s s  %9s runs  cov %5s  corpus %5s  %s' "$t" "$seconds" "$runs" "$cov" "$corpus" "$result")")
    echo "${summary[-1]}"
done
echo "---- fuzz summary ($(($(date +%s) - start)) s in all)"
printf '%s\n' "${summary[@]}"
exit $failed
