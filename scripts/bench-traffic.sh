#!/usr/bin/env bash
# Traffic-control accuracy and priority (bench/.../traffic/TrafficBench.java): single-node and cluster-wide (Redis)
# limits offered 2x their limit, and overload shedding offered 3x a service's capacity.
# Usage: scripts/bench-traffic.sh [single|cluster|priority|all|cluster-async] [seconds, default 60]
#        REDIS_URI=redis://host:6379/0 for cluster mode (default 127.0.0.1:6379)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package
exec java -Xms512m -Xmx1g -XX:+UseParallelGC -Dredis="${REDIS_URI:-redis://127.0.0.1:6379/0}" \
  -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.topaz.bench.traffic.TrafficBench "$@"
