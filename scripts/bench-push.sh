#!/usr/bin/env bash
# Config push latency: publish in the control plane -> all N agents applied (issue 2's benchmark).
# Usage: scripts/bench-push.sh [agents=10] [publishes=200] [warmup=30] [apis=200]
# Results go into docs/benchmarks.md by hand, with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package
exec java -Xms256m -Xmx1g \
  -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.topaz.bench.push.PushLatencyBench "$@"
