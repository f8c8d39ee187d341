#!/usr/bin/env bash
# usage: scripts/bench-upload.sh [SIZE_MIB=1024] [ROUNDS=3] [PIECE_KIB=1024]
#
# End-to-end upload benchmark, all on 127.0.0.1: the same data is seeded by our functorrent
# program and by a libtorrent seeder (python3-libtorrent, our harness script), both started once
# with their data checked; then a libtorrent leecher downloads the torrent from one seeder at a
# time (given that seeder's address, no tracker), interleaved A B per round, the output removed
# and `sync`ed between runs. Each run: the leecher's wall seconds, and the CPU seconds (user +
# sys) the seeder spent serving it, from /proc. Every download is compared with the source.
# Prints a markdown table of medians [min-max] and the ratio of leecher times.
# Needs: JDK 17, Maven, python3-libtorrent (scripts/install-test-clients.sh).
# Env: BENCH_DIR (default /tmp/functorrent-bench-up); FT_JAVA_OPTS (JVM options of our seeder).
set -euo pipefail
SIZE=${1:-1024}; ROUNDS=${2:-3}; PIECE_KIB=${3:-1024}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
B=${BENCH_DIR:-/tmp/functorrent-bench-up}
LT="$root/functorrent-interop/src/main/resources/org/functorrent/interop/lt_client.py"
PY=/usr/bin/python3
"$root/functorrent" --version >/dev/null   # builds the program when needed
JAR="$root/examples/target/functorrent.jar"

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# CPU seconds (user + sys) of a process and its threads so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

rm -rf "$B"; mkdir -p "$B/seed"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

DATA="$B/seed/single-${SIZE}M.bin"
head -c "$((SIZE * 1048576))" /dev/urandom > "$DATA"
# The tracker named in the torrent never answers: every peer is given by address.
java -jar "$JAR" create "$DATA" --tracker "http://127.0.0.1:9/announce" \
  --piece-size "$PIECE_KIB" -o "$B/bench.torrent" > "$B/create.log"

LT_PORT=$(free_port)
"$PY" "$LT" seed "$B/bench.torrent" "$B/seed" "$LT_PORT" --status "$B/lt-seed.status" \
  > "$B/lt-seed.log" 2>&1 & lt_pid=$!; pids+=($lt_pid)
FT_PORT=$(free_port)
JAVA_OPTS="${FT_JAVA_OPTS:-}" "$root/functorrent" seed "$B/bench.torrent" --dir "$B/seed" --bind 127.0.0.1 \
  --port "$FT_PORT" --no-trackers > "$B/ft-seed.log" 2>&1 & ft_pid=$!; pids+=($ft_pid)
for _ in $(seq 600); do grep -q SEEDING "$B/lt-seed.status" 2>/dev/null && break; sleep 0.1; done
grep -q SEEDING "$B/lt-seed.status" || { cat "$B/lt-seed.log"; echo "bench: libtorrent did not seed" >&2; exit 1; }
for _ in $(seq 1200); do grep -qi seeding "$B/ft-seed.log" 2>/dev/null && break; sleep 0.1; done
grep -qi seeding "$B/ft-seed.log" || { cat "$B/ft-seed.log"; echo "bench: functorrent did not seed" >&2; exit 1; }

RES="$B/results.tsv"
printf 'seeder\tround\twall_s\tseeder_cpu_s\n' > "$RES"
for r in $(seq 1 "$ROUNDS"); do
  for seeder in functorrent libtorrent; do
    rm -rf "$B/out"; sync
    if [ "$seeder" = functorrent ]; then pid=$ft_pid; port=$FT_PORT; else pid=$lt_pid; port=$LT_PORT; fi
    before=$(cpu_of "$pid")
    start=$(date +%s.%N)
    "$PY" "$LT" leech "$B/bench.torrent" "$B/out" "$(free_port)" --peer "127.0.0.1:$port" \
      --timeout 1800 > "$B/leech-$seeder-$r.log" 2>&1 \
      || { echo "bench: the leecher failed from $seeder in round $r (see $B/leech-$seeder-$r.log)" >&2; exit 1; }
    end=$(date +%s.%N)
    after=$(cpu_of "$pid")
    cmp -s "$DATA" "$B/out/$(basename "$DATA")" \
      || { echo "bench: the download from $seeder differs from the source (round $r)" >&2; exit 1; }
    wall=$(awk "BEGIN{print $end - $start}"); cpu=$(awk "BEGIN{print $after - $before}")
    printf '%s\t%s\t%s\t%s\n' "$seeder" "$r" "$wall" "$cpu" >> "$RES"
    echo "round $r from $seeder: leecher wall ${wall}s, seeder cpu ${cpu}s"
  done
done
rm -rf "$B/out"

echo
echo "$SIZE MiB, ${PIECE_KIB} KiB pieces, $ROUNDS rounds, a libtorrent leecher${FT_JAVA_OPTS:+, our seeder with $FT_JAVA_OPTS}; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
"$PY" - "$RES" "$SIZE" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
size = float(sys.argv[2])
def col(c, k): return [float(r[k]) for r in rows if r['seeder'] == c]
def fmt(v): return '%.2f [%.2f-%.2f]' % (statistics.median(v), min(v), max(v))
print('| seeder | leecher wall s | MiB/s | seeder CPU s |')
print('|---|---|---|---|')
for c in ('functorrent', 'libtorrent'):
    w = col(c, 'wall_s')
    print('| %s | %s | %.0f | %s |' % (c, fmt(w), size / statistics.median(w), fmt(col(c, 'seeder_cpu_s'))))
print('\nleecher wall time from us / from libtorrent: %.2f' % (
    statistics.median(col('functorrent', 'wall_s')) / statistics.median(col('libtorrent', 'wall_s'))))
PY
