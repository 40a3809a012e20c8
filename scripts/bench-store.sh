#!/usr/bin/env bash
# The log store's benchmarks (issue 6): group-commit append throughput beside the disk's raw sequential bandwidth at
# the same sync rate, and start-up with 1,000,000 keys from hints and by scanning. Usage: scripts/bench-store.sh [dir]
# Needs only a JDK (17+) and Maven on the PATH. Other processes on the machine skew the ratio: run it on a quiet one.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "bench-store: '$tool' is not on the PATH (needs a JDK 17+ and Maven)" >&2; exit 1; }
done
mvn -B -q -DskipTests -pl bench -am package
exec java -Xms1g -Xmx2g -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.topaz.bench.store.StoreBench "$@"
