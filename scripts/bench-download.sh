#!/usr/bin/env bash
# usage: scripts/bench-download.sh [SIZE_MIB=1024] [ROUNDS=3] [FILES=1] [PIECE_KIB=1024]
#
# End-to-end download benchmark, all on 127.0.0.1: one libtorrent seeder (python3-libtorrent,
# our harness script) behind an opentracker; the same torrent is downloaded by our functorrent
# program, by libtorrent's own leecher and by aria2c, interleaved A B C per round, a fresh
# leecher port per run, the output removed and `sync`ed between runs (the seeder's data stays in
# the page cache for every run alike). Each run: wall seconds, CPU seconds (user + sys) and peak
# RSS from GNU time, and the CPU seconds the seeder spent meanwhile (on 2 cores the leecher and
# the seeder share the machine, so a leecher's wall time follows the two together); every
# download is compared with the source. Prints a markdown table of medians [min-max] and the
# ratios ours/libtorrent and ours/aria2.
# Needs: JDK 17, Maven, and the Debian packages the interop tests use (scripts/install-test-clients.sh).
# Env: BENCH_DIR (default /tmp/functorrent-bench); CLIENTS (default "functorrent libtorrent aria2",
# any subset, in the order to run); FT_JAVA_OPTS (JVM options of our program, e.g. -Xmx64m);
# WARM_ROUNDS (default 0: none; else at least 4): after the interleaved runs the library downloads
# the torrent that many times in one JVM (benchmarks' WarmDownload, as an application that embeds
# it runs), and rounds 4 and later are reported as the warm figure.
# Our program runs through its launcher, ./functorrent, as users run it (FUNCTORRENT_CDS=off
# runs it without the launcher's class-data archive).
set -euo pipefail
SIZE=${1:-1024}; ROUNDS=${2:-3}; FILES=${3:-1}; PIECE_KIB=${4:-1024}
CLIENTS=${CLIENTS:-functorrent libtorrent aria2}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
B=${BENCH_DIR:-/tmp/functorrent-bench}
LT="$root/functorrent-interop/src/main/resources/org/functorrent/interop/lt_client.py"
PY=/usr/bin/python3
for tool in opentracker aria2c /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/install-test-clients.sh)" >&2; exit 1; }
done
"$root/functorrent" --version >/dev/null   # builds the program (and its class-data archive) when needed
JAR="$root/examples/target/functorrent.jar"

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

rm -rf "$B"; mkdir -p "$B/seed" "$B/tracker"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Data: one file, or FILES files of uneven sizes in two directories.
if [ "$FILES" = 1 ]; then
  DATA="$B/seed/single-${SIZE}M.bin"
  head -c "$((SIZE * 1048576))" /dev/urandom > "$DATA"
else
  DATA="$B/seed/multi-${SIZE}M-${FILES}"
  mkdir -p "$DATA/a" "$DATA/b"
  per=$((SIZE * 1048576 / FILES))
  for i in $(seq 1 "$FILES"); do
    d=$([ $((i % 2)) = 0 ] && echo a || echo b)
    n=$((per + (i % 7) * 4099 - 12288))
    [ "$i" = "$FILES" ] && n=$((SIZE * 1048576 - (FILES - 1) * per))
    head -c "$n" /dev/urandom > "$DATA/$d/file-$i.bin"
  done
fi

TP=$(free_port)
java -jar "$JAR" create "$DATA" --tracker "http://127.0.0.1:$TP/announce" \
  --piece-size "$PIECE_KIB" -o "$B/bench.torrent" > "$B/create.log"
HASH=$(grep '^info_hash:' "$B/create.log" | cut -d' ' -f2)
chmod 755 "$B/tracker"; echo "$HASH" > "$B/tracker/whitelist.txt"; chmod 644 "$B/tracker/whitelist.txt"
printf 'listen.tcp_udp 127.0.0.1:%s\ntracker.rootdir %s\ntracker.user nobody\naccess.whitelist whitelist.txt\n' \
  "$TP" "$B/tracker" > "$B/opentracker.conf"
opentracker -f "$B/opentracker.conf" > "$B/opentracker.log" 2>&1 & pids+=($!)
SP=$(free_port)
"$PY" "$LT" seed "$B/bench.torrent" "$B/seed" "$SP" --status "$B/seed.status" > "$B/seed.log" 2>&1 & pids+=($!)
SEEDER=$!
for _ in $(seq 600); do grep -q SEEDING "$B/seed.status" 2>/dev/null && break; sleep 0.1; done
grep -q SEEDING "$B/seed.status" || { cat "$B/seed.log"; echo "bench: the seeder did not start" >&2; exit 1; }

run_client() { # client port -> runs the download into $B/out
  case "$1" in
    functorrent) JAVA_OPTS="${FT_JAVA_OPTS:-}" "$FT" download "$B/bench.torrent" --dir "$B/out" --bind 127.0.0.1 --port "$2" ;;
    libtorrent) "$PY" "$LT" leech "$B/bench.torrent" "$B/out" "$2" --timeout 1800 ;;
    aria2) aria2c --no-conf --dir="$B/out" --listen-port="$2" --interface=127.0.0.1 --disable-ipv6=true \
        --enable-dht=false --enable-dht6=false --bt-enable-lpd=false --enable-peer-exchange=false \
        --bt-require-crypto=false --bt-min-crypto-level=plain --seed-time=0 --file-allocation=none \
        --summary-interval=0 --console-log-level=warn --check-integrity=false "$B/bench.torrent" ;;
  esac
}

RES="$B/results.tsv"
seeder_ticks() { awk '{print $14 + $15}' "/proc/$SEEDER/stat"; }   # user + sys, in clock ticks
TICK=$(getconf CLK_TCK)
printf 'client\tround\twall_s\tcpu_s\trss_mib\tseeder_cpu_s\n' > "$RES"
for r in $(seq 1 "$ROUNDS"); do
  for c in $CLIENTS; do
    rm -rf "$B/out"; sync
    port=$(free_port)
    seeder_before=$(seeder_ticks)
    /usr/bin/time -f '%e %U %S %M' -o "$B/time" bash -c "$(declare -f run_client); B='$B' FT='$root/functorrent' PY='$PY' LT='$LT' FT_JAVA_OPTS='${FT_JAVA_OPTS:-}' run_client $c $port" \
      > "$B/run-$c-$r.log" 2>&1 || { echo "bench: $c failed in round $r (see $B/run-$c-$r.log)" >&2; exit 1; }
    if ! diff -rq "$DATA" "$B/out/$(basename "$DATA")" >/dev/null; then
      echo "bench: $c's download differs from the source (round $r)" >&2; exit 1
    fi
    seeder_cpu=$(awk "BEGIN{print ($(seeder_ticks) - $seeder_before) / $TICK}")
    read -r wall user sys rss < "$B/time"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$r" "$wall" "$(awk "BEGIN{print $user + $sys}")" "$((rss / 1024))" "$seeder_cpu" >> "$RES"
    echo "round $r $c: wall ${wall}s cpu $(awk "BEGIN{print $user + $sys}")s rss $((rss / 1024)) MiB, seeder cpu ${seeder_cpu}s"
  done
done
rm -rf "$B/out"

# The library in a warm JVM, as an application that embeds it runs: WarmDownload downloads the
# torrent WARM_ROUNDS times in one JVM from the same seeder (after the interleaved runs above).
WARM="$B/warm.tsv"
rm -f "$WARM"
if [ "${WARM_ROUNDS:-0}" -gt 0 ]; then
  [ "$WARM_ROUNDS" -ge 4 ] || { echo "bench: WARM_ROUNDS must be at least 4 (3 warm-up rounds)" >&2; exit 1; }
  mvn -q -B -f "$root/pom.xml" -DskipTests -pl benchmarks -am package >&2
  java -cp "$root/benchmarks/target/benchmarks.jar" org.functorrent.benchmarks.WarmDownload \
    "$B/bench.torrent" "$WARM_ROUNDS" "$B/warm" > "$B/warm.log" 2>&1 \
    || { echo "bench: WarmDownload failed (see $B/warm.log)" >&2; exit 1; }
  sed -n 's/^round \([0-9]*\): \([0-9.]*\) s, \([0-9.]*\) CPU s.*/\1\t\2\t\3/p' "$B/warm.log" > "$WARM"
fi

echo
echo "$SIZE MiB in $FILES file(s), ${PIECE_KIB} KiB pieces, $ROUNDS rounds${FT_JAVA_OPTS:+, functorrent with $FT_JAVA_OPTS}; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
"$PY" - "$RES" "$SIZE" "$WARM" <<'PY'
import csv, os, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
size = float(sys.argv[2])
warm = [l.split('\t') for l in open(sys.argv[3])] if os.path.exists(sys.argv[3]) else []
def col(c, k): return [float(r[k]) for r in rows if r['client'] == c]
def fmt(v): return '%.2f [%.2f-%.2f]' % (statistics.median(v), min(v), max(v))
print('| leecher | wall s | MiB/s | CPU s | peak RSS MiB | seeder CPU s |')
print('|---|---|---|---|---|---|')
present = [c for c in ('functorrent', 'libtorrent', 'aria2') if col(c, 'wall_s')]
for c in present:
    w = col(c, 'wall_s')
    print('| %s | %s | %.0f | %s | %s | %s |' % (c, fmt(w), size / statistics.median(w),
          fmt(col(c, 'cpu_s')), fmt(col(c, 'rss_mib')), fmt(col(c, 'seeder_cpu_s'))))
if 'functorrent' not in present:
    sys.exit(0)
ours = statistics.median(col('functorrent', 'wall_s'))
for other in [c for c in present if c != 'functorrent']:
    print('\nwall time ours / %s: %.2f' % (other, ours / statistics.median(col(other, 'wall_s'))), end='')
print()
if warm:
    w = [float(r[1]) for r in warm[3:]]
    c = [float(r[2]) for r in warm[3:]]
    print('\nthe library in one warm JVM (WarmDownload, rounds 4-%d of %d; round 1 took %s s, %s CPU s):'
          % (len(warm), len(warm), warm[0][1], warm[0][2].strip()))
    print('| leecher | wall s | MiB/s | CPU s |')
    print('|---|---|---|---|')
    print('| functorrent, warm | %s | %.0f | %s |' % (fmt(w), size / statistics.median(w), fmt(c)))
    for other in [o for o in present if o != 'functorrent']:
        print('warm wall time ours / %s: %.2f' % (other, statistics.median(w) / statistics.median(col(other, 'wall_s'))))
PY
