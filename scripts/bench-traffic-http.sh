#!/usr/bin/env bash
# Traffic control end to end through the gateways (bench/.../traffic/TrafficHttpBench.java): starts the quickstart
# with Redis (TOPAZ_REDIS_URI, default redis://127.0.0.1:6379/0) and a third agent (agent-3: 8280/8281/8282, same
# cluster), then runs the single-node, cluster-wide and priority benchmarks through agent gateways, and stops
# everything. Usage: scripts/bench-traffic-http.sh [seconds per run, default 60] [single|cluster|priority|all]
set -euo pipefail
cd "$(dirname "$0")/.."
export TOPAZ_REDIS_URI=${TOPAZ_REDIS_URI:-redis://127.0.0.1:6379/0}
BENCH_JVM_OPTS=${BENCH_JVM_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
log=$(mktemp)
AGENT_OPTS="$BENCH_JVM_OPTS" setsid bash scripts/quickstart.sh >"$log" 2>&1 &
agent3_pid=
cleanup() {
  [ -z "$agent3_pid" ] || kill "$agent3_pid" 2>/dev/null || true
  bash scripts/quickstart.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 180); do grep -q "Topaz is up" "$log" && break; sleep 1; done
grep -q "Topaz is up" "$log" || { cat "$log"; echo "the quickstart did not come up" >&2; exit 1; }
set -a; . .topaz/quickstart.env; set +a
api() { curl -sS -H "Authorization: Bearer $TOPAZ_TOKEN" -H 'Content-Type: application/json' "$@"; }
api -X DELETE "$TOPAZ_CONTROL_URL/api/v1/tokens/bench-agent-3" >/dev/null || true
agent_token=$(api "$TOPAZ_CONTROL_URL/api/v1/tokens" -d '{"name":"bench-agent-3","role":"AGENT"}' \
  | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$agent_token" ] || { echo "could not create an agent token" >&2; exit 1; }
TOPAZ_AGENT_TOKEN="$agent_token" java $BENCH_JVM_OPTS -jar agent/target/agent-0.1.0-SNAPSHOT.jar --id=agent-3 \
  --zone=local --host=127.0.0.1 --cluster=local --zk-connect=127.0.0.1:2181 --admin-port=8282 --gateway-port=8280 \
  --broker-port=8281 --data-dir=.topaz/data/agent-3 --control-url="$TOPAZ_CONTROL_URL" \
  --redis-uri="$TOPAZ_REDIS_URI" >.topaz/logs/agent-3.log 2>&1 &
agent3_pid=$!
for _ in $(seq 1 60); do curl -fsS -o /dev/null http://127.0.0.1:8282/health 2>/dev/null && break; sleep 1; done
export TOPAZ_AGENT3_GATEWAY_URL=http://127.0.0.1:8280/router/rest
java -Xms256m -Xmx512m -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.topaz.bench.traffic.TrafficHttpBench "$@"
