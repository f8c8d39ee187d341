#!/usr/bin/env bash
# Runs every test: unit, codec and swarm tests, and the interop tests against real clients
# (libtorrent, mktorrent, Transmission from Debian's packages, installed here when missing);
# the fuzz targets' seeds run with them. Then a short coverage-guided run of every fuzz target
# (docs/FUZZING.md; FUZZ_DURATION=0 skips it, FUZZ_DURATION=30s makes each target run longer).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-test-clients.sh
mvn -B -Pinterop install "$@"
if [[ "${FUZZ_DURATION:-15s}" != 0 ]]; then
  mvn -B -Pfuzz -Dfuzz.duration="${FUZZ_DURATION:-15s}" test "$@"
fi
