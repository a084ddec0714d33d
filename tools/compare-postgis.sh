#!/usr/bin/env bash
# PostGIS as a comparison peer for fanout's reference queries (issue 5, part 1).
#
# Usage: tools/compare-postgis.sh [--runs N] [--port P] [--parallel N] [--fanout BIN] [--explain] REGISTRY.sqlite|PARTICIPANTS.csv
#
# Starts a throwaway PostgreSQL 15 + PostGIS 3 cluster in a temporary directory, listening on
# 127.0.0.1 only (port 54329 unless --port), loads the participants, runs the reference queries
# of `fanout loadtest` (circles around Amsterdam Dam 1/5/20 km, Utrecht Dom 10/50 km, Kerkrade
# 15 km; the Rotterdam 40 km2 and Maastricht 670 km2 polygons of data/areas) once to warm up and
# then N times (default 7), and prints a table: query, participants selected, median and fastest
# time. On exit (also on errors and Ctrl-C) the server is stopped and the directory removed.
#
# Input: a fanout registry (the participant table's id, rd_x, rd_y, country are exported with the
# sqlite3 CLI; coordinates as 17 significant digits, which round-trips every double exactly), or a
# CSV with the header id,rd_x,rd_y,country (RD New metres).
#
# --fanout BIN: also run `BIN select` on the same registry for every query and compare the
# participant ids, in order, with PostGIS's (needs a registry as input). Note that `fanout select`
# opens the registry read-write.
#
# --parallel N: max_parallel_workers_per_gather, default 0 (no parallel query). PostgreSQL's own
# default is 2, but on the 2-core reference machine the workers cost more than they gain: the
# 1 km circle took 18 ms with 2 workers and 1.8 ms without, the 50 km circle 625 vs 618 ms. The
# faster setting is the fair peer; pass --parallel 2 to see the other.
#
# --explain: print each query's plan (EXPLAIN ANALYZE, after the timed runs) to stderr.
#
# Installs postgresql-15-postgis-3 (and sqlite3) with apt-get when missing and running as root;
# otherwise says that the PostGIS peer is skipped and exits 0.
#
# What PostGIS is asked (the idiomatic form, with a GiST index on geometry(Point, 28992), the table
# CLUSTERed on it, prewarmed, work_mem large enough to sort in memory, JIT off):
#   circle:  WHERE ST_DWithin(geom, centre, r) ORDER BY ST_Distance(geom, centre) DESC, id ASC
#   polygon: WHERE ST_Covers(area, geom)      ORDER BY ST_Distance(geom, ST_Centroid(area)) DESC, id ASC
# ST_Distance of two points is sqrt(dx*dx + dy*dy) in liblwgeom, the engine's expression, so the
# order is the engine's. ST_DWithin tests sqrt(dx*dx + dy*dy) <= r where the engine tests
# dx*dx + dy*dy <= r*r: the two can disagree only for a point within a rounding error of the circle.
#
# Circle centres are RD New coordinates computed by fanout itself (CoordinateConverter.toRD of the
# WGS84 centres in Sources/FanoutEngine/ReferenceQueries.swift, through RDNAPTRANS2018 with NSGI's
# grid), printed once with Swift's shortest round-trip formatting and hard-coded below: PostGIS's
# own ST_Transform(…, 28992) has no NL correction grid and is off by about 0.25 m. The polygons are
# transformed in SQL with a PROJ definition that applies the same grid (data/rdtrans2018.gsb) the
# same way (inverse hgridshift, then RD New's oblique stereographic); if PROJ cannot use the grid
# the script falls back to plain ST_Transform(…, 28992) and says so (then expect the ~0.25 m offset
# to move a few participants across the boundary).
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$(pwd)

runs=7
port=54329
fanout=""
explain=0
parallel=0
usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=${2:?}; shift 2 ;;
        --port) port=${2:?}; shift 2 ;;
        --fanout) fanout=${2:?}; shift 2 ;;
        --explain) explain=1; shift ;;
        --parallel) parallel=${2:?}; shift 2 ;;
        -h|--help) usage ;;
        --*) echo "compare-postgis: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || usage
input=$1
[ -f "$input" ] || { echo "compare-postgis: $input: no such file" >&2; exit 2; }
case "$runs" in ''|*[!0-9]*|0) echo "compare-postgis: --runs must be a positive integer" >&2; exit 2 ;; esac
case "$parallel" in ''|*[!0-9]*) echo "compare-postgis: --parallel must be a number" >&2; exit 2 ;; esac
case "$port" in ''|*[!0-9]*) echo "compare-postgis: --port must be a number" >&2; exit 2 ;; esac
is_registry=0
if head -c 16 "$input" | grep -q "SQLite format 3"; then is_registry=1; fi
if [ -n "$fanout" ] && [ $is_registry -eq 0 ]; then
    echo "compare-postgis: --fanout needs a registry as input, not a CSV" >&2; exit 2
fi
if [ -n "$fanout" ] && [ ! -x "$fanout" ]; then echo "compare-postgis: --fanout $fanout: not executable" >&2; exit 2; fi

# MARK: - PostGIS

pg_bin=/usr/lib/postgresql/15/bin
wanted=(postgresql-15-postgis-3)
[ $is_registry -eq 1 ] && wanted+=(sqlite3)
missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "compare-postgis: ${missing[*]} not installed and not running as root: PostGIS peer skipped" >&2
        exit 0
    fi
    echo "installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# MARK: - Throwaway cluster

work=$(mktemp -d /tmp/fanout-postgis.XXXXXX)
started=0
cleanup() {
    if [ $started -eq 1 ]; then
        as_pg "$pg_bin/pg_ctl" -D "$work/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            as_pg "$pg_bin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root.
    chown postgres: "$work"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

clock() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(clock)" 'BEGIN { printf "%.1f s", b - a }'; }

t=$(clock)
as_pg "$pg_bin/initdb" -D "$work/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$work/initdb.log" 2>&1 ||
    { cat "$work/initdb.log" >&2; exit 1; }
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
shared_buffers = 1GB
work_mem = 256MB
maintenance_work_mem = 1GB
max_wal_size = 8GB
fsync = off
synchronous_commit = off
full_page_writes = off
jit = off
max_parallel_workers_per_gather = $parallel
statement_timeout = '15min'
EOF
as_pg "$pg_bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 60 start >/dev/null ||
    { echo "compare-postgis: the server did not start (port $port in use?):" >&2; cat "$work/server.log" >&2; exit 1; }
started=1
sql() { timeout 1200 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }
version=$(sql -At -c "CREATE EXTENSION postgis; CREATE EXTENSION pg_prewarm;
    SELECT split_part(version(), ' ', 2) || ', PostGIS ' || postgis_lib_version() || ', GEOS ' || postgis_geos_version()
        || ', PROJ ' || split_part(postgis_proj_version(), ' ', 1)")
echo "PostgreSQL $version on 127.0.0.1:$port, cluster in $work (initdb + start $(since "$t"))" >&2

# MARK: - Load

t=$(clock)
sql -c "CREATE TABLE participant_raw (id bigint, rd_x float8, rd_y float8, country text)"
if [ $is_registry -eq 1 ]; then
    sqlite3 -readonly -csv "$input" \
        "SELECT id, printf('%!.17g', rd_x), printf('%!.17g', rd_y), country FROM participant" |
        sql -c "\\copy participant_raw FROM pstdin WITH (FORMAT csv)"
else
    header=$(head -n 1 "$input" | tr -d '\r')
    [ "$header" = "id,rd_x,rd_y,country" ] ||
        { echo "compare-postgis: $input: expected the header id,rd_x,rd_y,country, found '$header'" >&2; exit 2; }
    sql -c "\\copy participant_raw FROM '$input' WITH (FORMAT csv, HEADER true)"
fi
sql >/dev/null <<'EOF'
CREATE TABLE participant AS
    SELECT id, rd_x, rd_y, country, ST_SetSRID(ST_MakePoint(rd_x, rd_y), 28992)::geometry(Point, 28992) AS geom
    FROM participant_raw;
DROP TABLE participant_raw;
ALTER TABLE participant ADD PRIMARY KEY (id);
CREATE INDEX participant_geom ON participant USING gist (geom);
CLUSTER participant USING participant_geom;
VACUUM ANALYZE participant;
SELECT pg_prewarm('participant'), pg_prewarm('participant_geom');
EOF
count=$(sql -At -c "SELECT count(*) FROM participant")
echo "loaded $count participants (COPY, GiST index, CLUSTER, ANALYZE: $(since "$t"))" >&2

# MARK: - Areas

rd_proj="+proj=sterea +lat_0=52.156160555555555 +lon_0=5.387638888888889 +k=0.9999079 +x_0=155000 +y_0=463000"
rd_proj+=" +ellps=bessel +units=m +no_defs +nadgrids=$work/rdtrans2018.gsb"
cp data/rdtrans2018.gsb "$work/rdtrans2018.gsb"
[ "$(id -u)" -eq 0 ] && chown postgres: "$work/rdtrans2018.gsb"
sql -c "CREATE TABLE area (name text PRIMARY KEY, geojson json NOT NULL, g geometry)"
for f in rotterdam-40km2 maastricht-670km2; do
    # psql interpolates variables only in scripts, not in -c.
    echo "INSERT INTO area (name, geojson) VALUES (:'name', :'geojson');" |
        sql -v name="$f" -v geojson="$(cat "data/areas/$f.geojson")"
done
# One of the fanout circle centres, transformed the same way, shows whether the grid was applied.
check=$(echo "SELECT round(ST_Distance(
    ST_Transform(ST_SetSRID(ST_MakePoint(4.8930, 52.3731), 4326), '+proj=longlat +datum=WGS84 +no_defs', :'proj'),
    ST_MakePoint(121345.04394591617, 487361.8936212581))::numeric, 6);" | sql -At -v proj="$rd_proj" 2>&1 || true)
geometry_of="CASE geojson->>'type' WHEN 'Feature' THEN geojson->'geometry'
    WHEN 'FeatureCollection' THEN geojson->'features'->0->'geometry' ELSE geojson END"
if [[ "$check" =~ ^[0-9.]+$ ]] && awk -v d="$check" 'BEGIN { exit !(d < 0.01) }'; then
    echo "UPDATE area SET g = ST_SetSRID(ST_Transform(
        ST_SetSRID(ST_GeomFromGeoJSON($geometry_of), 4326), '+proj=longlat +datum=WGS84 +no_defs', :'proj'), 28992);" |
        sql -v proj="$rd_proj"
    echo "polygons: WGS84 -> RD New with RDNAPTRANS2018's grid (Dam square lands ${check} m from fanout's RD point)" >&2
else
    sql -c "UPDATE area SET g = ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($geometry_of), 4326), 28992)"
    echo "polygons: PROJ could not apply the grid ($check); plain ST_Transform(…, 28992), about 0.25 m off" >&2
fi

# MARK: - Queries

# name | lon,lat,radius for `fanout select --circle` | RD x | RD y (fanout's, see the header)
circles=(
    "Amsterdam Dam 1 km|4.8930,52.3731,1000|121345.04394591617|487361.8936212581"
    "Amsterdam Dam 5 km|4.8930,52.3731,5000|121345.04394591617|487361.8936212581"
    "Amsterdam Dam 20 km|4.8930,52.3731,20000|121345.04394591617|487361.8936212581"
    "Utrecht Dom 10 km|5.1214,52.0908,10000|136783.79360885624|455871.2786513166"
    "Utrecht Dom 50 km|5.1214,52.0908,50000|136783.79360885624|455871.2786513166"
    "Kerkrade 15 km|6.0650,50.8655,15000|202718.88736040684|319741.48924996523"
)
polygons=(
    "Rotterdam polygon 40 km2|rotterdam-40km2"
    "Maastricht polygon 670 km2|maastricht-670km2"
)

# Runs $2 (one SQL statement) once to warm up, writing its rows to $3, then $runs times timed;
# prints the median and fastest time in ms.
time_query() {
    local name=$1 query=$2 rows=$3 script="$work/q.sql"
    {
        echo "\\pset format unaligned"
        echo "\\pset tuples_only on"
        echo "\\pset fieldsep ','"
        echo "\\o $rows"
        echo "$query;"
        echo "\\o /dev/null"
        echo "\\timing on"
        for _ in $(seq "$runs"); do echo "$query;"; done
        if [ $explain -eq 1 ]; then
            echo "\\timing off"
            echo "\\o"
            echo "\\qecho '-- $name'"
            echo "EXPLAIN (ANALYZE, BUFFERS) $query;"
        fi
    } >"$script"
    sql -f "$script" | tee >(grep -v '^Time: ' >&2) | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -g |
        awk '{ t[NR] = $1 } END {
            if (NR == 0) { print "n/a n/a"; exit }
            m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "%.1f %.1f\n", m, t[1] }'
}

# Compares the ids of PostGIS's rows ($1) with fanout's for the same area ($2: select arguments).
compare_with_fanout() {
    local rows=$1; shift
    local out="$work/fanout.csv"
    "$fanout" select --db "$input" "$@" --out "$out" 2>/dev/null
    tail -n +2 "$out" | cut -d, -f1 >"$work/fanout.ids"
    cut -d, -f1 "$rows" >"$work/postgis.ids"
    if cmp -s "$work/fanout.ids" "$work/postgis.ids"; then
        echo "same ids, same order"
        return
    fi
    local only_pg only_fo
    only_pg=$(sort "$work/postgis.ids" | comm -23 - <(sort "$work/fanout.ids") | wc -l)
    only_fo=$(sort "$work/fanout.ids" | comm -13 <(sort "$work/postgis.ids") - | wc -l)
    if [ "$only_pg" -eq 0 ] && [ "$only_fo" -eq 0 ]; then
        local rank
        rank=$(paste -d' ' "$work/postgis.ids" "$work/fanout.ids" | awk '$1 != $2 { print NR; exit }')
        echo "same ids, order differs from rank $rank"
    else
        echo "fanout $(wc -l <"$work/fanout.ids"): $only_pg only in PostGIS, $only_fo only in fanout"
    fi
}

echo >&2
header="| query | selected | PostGIS median | PostGIS fastest |"
rule="| --- | ---: | ---: | ---: |"
if [ -n "$fanout" ]; then header+=" vs fanout select |"; rule+=" --- |"; fi
lines=()
for c in "${circles[@]}"; do
    IFS='|' read -r name arg x y <<<"$c"
    r=${arg##*,}
    echo "running $name" >&2
    query="SELECT id, ST_Distance(geom, ST_SetSRID(ST_MakePoint($x, $y), 28992)) AS distance_m, country
        FROM participant WHERE ST_DWithin(geom, ST_SetSRID(ST_MakePoint($x, $y), 28992), $r)
        ORDER BY distance_m DESC, id ASC"
    read -r med fast < <(time_query "$name" "$query" "$work/rows.csv")
    line="| $name | $(wc -l <"$work/rows.csv") | $med ms | $fast ms |"
    [ -n "$fanout" ] && line+=" $(compare_with_fanout "$work/rows.csv" --circle "$arg") |"
    lines+=("$line")
done
for p in "${polygons[@]}"; do
    IFS='|' read -r name file <<<"$p"
    echo "running $name" >&2
    # MATERIALIZED: the centroid once per query, not once per row.
    query="WITH a AS MATERIALIZED (SELECT g, ST_Centroid(g) AS c FROM area WHERE name = '$file')
        SELECT p.id, ST_Distance(p.geom, a.c) AS distance_m, p.country
        FROM participant p, a
        WHERE ST_Covers(a.g, p.geom)
        ORDER BY distance_m DESC, p.id ASC"
    read -r med fast < <(time_query "$name" "$query" "$work/rows.csv")
    line="| $name | $(wc -l <"$work/rows.csv") | $med ms | $fast ms |"
    [ -n "$fanout" ] && line+=" $(compare_with_fanout "$work/rows.csv" --polygon "data/areas/$file.geojson") |"
    lines+=("$line")
done
echo "$header"
echo "$rule"
printf '%s\n' "${lines[@]}"
echo "(PostgreSQL $version; $count participants; max_parallel_workers_per_gather $parallel; median of $runs runs" \
    "after one warm-up, wall time in psql including the transfer of every row over loopback)"
