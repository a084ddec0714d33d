#!/usr/bin/env bash
# Builds and runs the fanout benchmarks (release mode), stores the run as the benchmark baseline
# "reference", and prints the results table of Benchmarks/README.md (Markdown): result counts,
# median wall time of the engine's index, of the GEOS STRtree peer and of the brute-force scan,
# their ratios, peak memory.
#
# Usage (from anywhere):
#   Benchmarks/run-reference.sh                      run everything, then print the table
#   Benchmarks/run-reference.sh --filter 'Utrecht'   run only matching benchmarks (any option of
#                                                    `swift package benchmark` is passed on)
#   Benchmarks/run-reference.sh --keep-cache         reuse the registry and CSV of an earlier run
#   Benchmarks/run-reference.sh --table-only         print the table of the stored "reference" run
#   Benchmarks/run-reference.sh --update-thresholds  run everything, print the table, and rewrite
#                                                    Thresholds/ from this run (then commit them)
#   Benchmarks/run-reference.sh --check              run everything and check it against Thresholds/;
#                                                    exit 0 within 20%, 2 slower (regression),
#                                                    4 only faster (improvement: update thresholds)
#
# Each run (unless --keep-cache) regenerates the 1.6M-participant registry (about 20 s) and the
# import CSV in $FANOUT_BENCH_CACHE (default: Benchmarks/.cache), so that the numbers are for the
# generator, import and transformation code being measured: `swift package benchmark` alone
# reuses whatever is cached. A full run takes about 4 minutes on 2 cores, plus the first
# release build (3-4 minutes).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
baseline=reference
cache="${FANOUT_BENCH_CACHE:-$here/.cache}"
results="$here/.results"

run=1
update_thresholds=0
check=0
keep_cache=0
passthrough=()
for arg in "$@"; do
    case "$arg" in
        --table-only) run=0 ;;
        --update-thresholds) update_thresholds=1 ;;
        --check) check=1 ;;
        --keep-cache) keep_cache=1 ;;
        *) passthrough+=("$arg") ;;
    esac
done

benchmark() { swift package --disable-sandbox --allow-writing-to-package-directory benchmark "$@"; }

if [[ $check == 1 ]]; then
    # `swift package` exits 1 for both outcomes; the plugin names which one on stderr.
    log="$(mktemp)"
    trap 'rm -f "$log"' EXIT
    status=0
    benchmark thresholds check --no-progress ${passthrough[@]+"${passthrough[@]}"} 2>"$log" || status=$?
    cat "$log" >&2
    if [[ $status == 0 ]]; then
        echo "thresholds check: within tolerance"; exit 0
    elif grep -q benchmarkThresholdRegression "$log"; then
        echo "thresholds check: REGRESSION (slower or bigger by more than the tolerance)"; exit 2
    elif grep -q benchmarkThresholdImprovement "$log"; then
        echo "thresholds check: improvement only; update Thresholds/ (--update-thresholds) and commit"; exit 4
    fi
    echo "thresholds check failed (exit $status)"; exit 1
fi

load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
if [[ $run == 1 ]]; then
    rm -rf "$cache/counts"
    if [[ $keep_cache == 0 ]]; then
        rm -f "$cache"/participants-*.sqlite "$cache"/import-*.csv
    fi
    benchmark baseline update "$baseline" --no-progress ${passthrough[@]+"${passthrough[@]}"}
fi
if [[ $update_thresholds == 1 ]]; then
    benchmark thresholds update "$baseline" --no-progress
fi

rm -rf "$results"
benchmark baseline read "$baseline" --format histogramPercentiles --path "$results" --no-progress >/dev/null

# median BENCHMARK METRIC: the 50th percentile of a metric, converted to milliseconds
# (times), megabytes (memory) or a plain count, or "" when the benchmark did not run.
median() {
    local file="$results/$baseline.SelectionBenchmarks.${1// /_}.$2.histogram.percentiles.tsv"
    [[ -f $file ]] || { echo ""; return; }
    awk -F'\t' '
        NR == 1 {
            unit = $2; sub(/^.*\(/, "", unit); sub(/\).*$/, "", unit)
            f = 1
            if (unit == "ns") f = 1e-6; else if (unit == "μs") f = 1e-3; else if (unit == "s") f = 1e3
            else if (unit == "K") f = 1e3; else if (unit == "M") f = 1e6; else if (unit == "G") f = 1e9
            if (metric == "peakMemoryResident") f /= 1e6
        }
        NR > 1 && $1 == 50 { printf "%.6f\n", $2 * f }' metric="$2" "$file"
}

# ms VALUE: a duration in milliseconds with sensible precision.
ms() {
    [[ -n $1 ]] || { echo "–"; return; }
    awk -v v="$1" 'BEGIN { if (v < 1) printf "%.3f", v; else if (v < 100) printf "%.1f", v; else printf "%.0f", v }'
}

# whole VALUE: rounded to an integer, "–" when empty.
whole() { [[ -n $1 ]] && awk -v v="$1" 'BEGIN { printf "%.0f", v }' || echo "–"; }

# group N: 1234567 -> 1,234,567
group() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }

echo
echo "### Reference queries (1,600,000 participants, seed 2016)"
echo
echo "| Query | Participants selected | Area (km²) | Engine median (ms) | STRtree median (ms) | Brute force median (ms) | STRtree ÷ engine | Brute force ÷ engine | Peak RSS engine / STRtree / brute force (MB) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
shopt -s nullglob
# ratio A B: A / B as "1.23×" (or "12×"), "–" when either is missing.
ratio() {
    [[ -n $1 && -n $2 ]] || { echo "–"; return; }
    awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf (r < 10 ? "%.2f×" : "%.0f×"), r }'
}
for engine_file in "$cache"/counts/*.engine.tsv; do
    IFS=$'\t' read -r name _ count area countries <"$engine_file"
    agreement=""
    for peer in strtree brute-force; do
        peer_file="${engine_file%.engine.tsv}.$peer.tsv"
        [[ -f $peer_file ]] || continue
        IFS=$'\t' read -r _ _ peer_count _ _ <"$peer_file"
        [[ $peer_count == "$count" ]] || agreement+=" **($peer: $peer_count, MISMATCH)**"
    done
    id="${name// /-}"  # benchmark names have no spaces (see Selector.benchmarkName)
    t_engine=$(median "engine:$id" wallClock)
    t_tree=$(median "STRtree:$id" wallClock)
    t_brute=$(median "brute-force:$id" wallClock)
    m_engine=$(median "engine:$id" peakMemoryResident)
    m_tree=$(median "STRtree:$id" peakMemoryResident)
    m_brute=$(median "brute-force:$id" peakMemoryResident)
    by_country=""
    [[ $countries == *,* ]] && by_country=" ($(group "$countries"))"
    echo "| $name | $(group "$count")$by_country$agreement | $area | $(ms "$t_engine") | $(ms "$t_tree") | $(ms "$t_brute") | $(ratio "$t_tree" "$t_engine") | $(ratio "$t_brute" "$t_engine") | $(whole "$m_engine") / $(whole "$m_tree") / $(whole "$m_brute") |"
done
echo
echo "### Import and index build"
echo
echo "| Benchmark | Median wall (ms) | Median CPU (ms) | Peak RSS (MB) | Mallocs |"
echo "| --- | ---: | ---: | ---: | ---: |"
for name in import-1.6M index-build-1.6M strtree-build-1.6M; do
    wall=$(median "$name" wallClock)
    [[ -n $wall ]] || continue
    cpu=$(median "$name" cpuTotal)
    mem=$(median "$name" peakMemoryResident)
    mallocs=$(median "$name" mallocCountTotal)
    echo "| $name | $(ms "$wall") | $(ms "$cpu") | $(whole "$mem") | $(group "$(whole "$mallocs")") |"
done
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo '?'), $(swift --version 2>/dev/null | head -1)."
if [[ $run == 1 ]]; then
    # Wall times are only comparable on an otherwise idle machine: with 2 cores, a load average
    # above ~1.5 (someone else building) inflates them, and the thresholds check will say so.
    echo "Load average (1, 5, 15 min) before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')."
fi
