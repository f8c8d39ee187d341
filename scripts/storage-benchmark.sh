#!/usr/bin/env bash
# Storage benchmark: verifying existing data vs sha1sum, writing a download's blocks vs dd, on
# the same disk in the same run. Usage: scripts/storage-benchmark.sh [SIZE_MIB] [ROUNDS] [DIR]
# (DIR defaults to a fresh directory under target/, removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-1024}"
rounds="${2:-3}"
mvn -q -B -o install -DskipTests -pl functorrent-storage -am
mvn -q -B -o -pl functorrent-storage dependency:build-classpath \
  -Dmdep.outputFile=target/storage-bench.classpath -Dmdep.includeScope=test >/dev/null
mkdir -p target
scratch="${3:-$(mktemp -d "$PWD/target/storage-bench.XXXXXX")}"
trap 'rm -rf "$scratch"' EXIT
cp="functorrent-storage/target/test-classes:functorrent-storage/target/classes:$(cat functorrent-storage/target/storage-bench.classpath)"
java -cp "$cp" org.functorrent.storage.StorageBenchmark "$scratch" "$size" "$rounds"
