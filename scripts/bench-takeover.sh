#!/usr/bin/env bash
# Control-plane leader takeover (issue 19): two control planes on one ZooKeeper and one PostgreSQL database
# (127.0.0.1:5432, user postgres, trust; a fresh database, dropped at the end); the leader stopped (SIGTERM) and
# killed (SIGKILL) in turn, timed until the other leads and answers, with operator requests to it counted meanwhile.
# Usage: scripts/bench-takeover.sh [--rounds=5] [--session-timeout-ms=5000]
# Results go into docs/benchmarks.md by hand, with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package
exec java -Xms64m -Xmx256m \
  -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.topaz.bench.ha.TakeoverBench "$@"
