#!/usr/bin/env bash
# The message service's crash soak (issue 16): a control plane and SOAK_AGENTS agents as processes (on ephemeral
# ports, in a temporary directory, as the quickstart starts them), producers and consumers running throughout, and N
# times the agent owning a consumer queue (asked on each agent's broker port: GET /internal/v1/queues) killed with
# SIGKILL and started again. At the end every acknowledged message must have been consumed at least once by every
# subscribed app; duplicates are counted and reported. Exits 1 if an acknowledged message was lost. Figures for
# docs/benchmarks.md are printed at the end. Driver: io.topaz.bench.messaging.SoakDriver (a CI test runs it with a
# few runs).
# Usage: scripts/soak-messaging.sh [--runs N]   (default 50)
# Environment (defaults in brackets): SOAK_AGENTS [2], SOAK_APPS [2] subscribed apps, SOAK_PUSH_APPS [1] of them
#   consumed by push (a WebSocket consumer per agent; the others by pull), SOAK_PRODUCERS [4],
#   SOAK_RATE [200] msg/s in all, SOAK_BEFORE_KILL_MS [3000], SOAK_DOWN_MS [2000] (killed -> restarted),
#   SOAK_AFTER_RESTART_MS [3000], SOAK_DRAIN_SECONDS [300] (at most, after the last run; 60 s without progress ends
#   it), SOAK_AGENT_JVM_OPTS [-Xms64m -Xmx512m -XX:+UseSerialGC], SOAK_AGENT_ARGS [] (extra agent flags, e.g.
#   --broker-redelivery-timeout=5s so that deliveries lost with a killed agent's answer come back sooner).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package # builds the control plane's and the agent's jars too
exec java -Xms256m -Xmx1g -Dlogback.configurationFile=bench-logback.xml \
  -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.topaz.bench.messaging.SoakDriver "$@"
