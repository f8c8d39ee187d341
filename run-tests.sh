#!/usr/bin/env bash
# Runs every test: unit, codec and swarm tests, and the interop tests against real clients
# (libtorrent, mktorrent, Transmission from Debian's packages, installed here when missing).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-test-clients.sh
exec mvn -B -Pinterop install "$@"
