#!/usr/bin/env bash
# Fuzzes the named targets (default: all, most valuable first) one after the other, each for
# DURATION (Jazzer's syntax: 30s, 10m, 1h), with the same settings as the fuzz profile. Each
# target's output goes to fuzz-logs/<target>.log; a summary line per target is printed at the end.
# Builds through the reactor (test-compile), so that sibling modules come from this checkout.
# FUZZ_KEEP_GOING=N goes on after a finding until N distinct ones (default 1: stop at the first).
#   scripts/fuzz.sh 10m                  # the long run, every target
#   scripts/fuzz.sh 30s peerWire metaInfo
# See docs/FUZZING.md.
set -uo pipefail
cd "$(dirname "$0")/.."

# target -> module and test class, in the order a run of every target takes them.
declare -A MODULE=(
  [peerWire]=functorrent-peer [metaInfo]=functorrent-bencode [httpResponse]=functorrent-tracker
  [udpServer]=functorrent-tracker [strictDecode]=functorrent-bencode
  [httpBody]=functorrent-tracker [magnetUri]=functorrent-bencode
  [udpResponse]=functorrent-tracker [lenientDecodeAndPrefix]=functorrent-bencode
  [httpServer]=functorrent-tracker [utMetadata]=functorrent-peer [utPex]=functorrent-peer
  [krpc]=functorrent-dht)
declare -A CLASS=(
  [peerWire]=PeerWireFuzzTest [metaInfo]=BencodeFuzzTest [httpResponse]=TrackerFuzzTest
  [udpServer]=TrackerFuzzTest [strictDecode]=BencodeFuzzTest [httpBody]=TrackerFuzzTest
  [magnetUri]=BencodeFuzzTest [udpResponse]=TrackerFuzzTest
  [lenientDecodeAndPrefix]=BencodeFuzzTest [httpServer]=TrackerFuzzTest
  [utMetadata]=ExtensionFuzzTest [utPex]=ExtensionFuzzTest [krpc]=KrpcFuzzTest)
ORDER=(peerWire metaInfo httpResponse udpServer strictDecode httpBody magnetUri udpResponse
  lenientDecodeAndPrefix httpServer krpc utMetadata utPex)

if [[ $# -lt 1 ]]; then
  echo "usage: $0 DURATION [TARGET...]   (targets: ${ORDER[*]})" >&2
  exit 2
fi
duration=$1
shift
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${ORDER[@]}")

mkdir -p fuzz-logs
failed=0
summary=()
for t in "${targets[@]}"; do
  module=${MODULE[$t]:-}
  if [[ -z $module ]]; then
    echo "unknown target $t (expected one of: ${ORDER[*]})" >&2
    exit 2
  fi
  log=fuzz-logs/$t.log
  echo "$(date -u +%FT%TZ) fuzzing $t for $duration (log: $log)"
  start=$(date +%s)
  if mvn -B -o -Pfuzz -Dfuzz.duration="$duration" -pl "$module" -am test-compile \
      "surefire:test@fuzz-$t" -Dtest="${CLASS[$t]}#$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.keep_going="${FUZZ_KEEP_GOING:-1}" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed=1
  fi
  done_line=$(grep -a -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  runs=$(grep -a -E '^Done [0-9]+ runs' "$log" | tail -1)
  summary+=("$t: $result in $(($(date +%s) - start)) s; ${done_line:-no DONE line}; ${runs:-}")
  echo "  ${summary[-1]}"
done
echo "summary:"
printf '  %s\n' "${summary[@]}"
exit $failed
