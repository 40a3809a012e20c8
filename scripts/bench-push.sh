#!/usr/bin/env bash
# The push benchmark (issue 17, "the latency race"): produce -> push latency p50/p99/p99.9/max over TMC WebSocket
# push at a fixed rate in all, spread over BENCH_PUSH_CONSUMERS consumers (apps with one connection each, every
# message to one of them), the maximum sustained push throughput, the share of confirmations completed without disk
# I/O (from the agent's metrics), and in the same run the same workload's produce -> consume latency through Apache
# Kafka 4.1.1 (one KRaft node; a topic of one partition and one consumer group per consumer). Topaz: a control plane
# and one agent from the built jars, on ephemeral ports; producers publish on the agent's broker port as a platform
# service (POST /internal/v1/publish, PUBLISHER token). io.topaz.bench.messaging.PushBench drives both.
# Results go into docs/benchmarks.md by hand, with the machine.
# Usage: scripts/bench-push.sh
# Environment (defaults in brackets):
#   BENCH_PUSH_SYSTEMS [kafka,topaz]  which systems to run
#   BENCH_PUSH_CONSUMERS [100]        consumers (Topaz: apps, one WebSocket each; Kafka: topics with one group each)
#   BENCH_PUSH_RATES [10000,max]      latency phases' total rates, msg/s, comma-separated; "max": 90 % of the lower
#                                     push throughput measured in the same run
#   BENCH_PUSH_PRODUCERS [128]        producer threads, each waiting for its acknowledgement
#   BENCH_PUSH_WARMUP [10] BENCH_PUSH_SECONDS [30]   each phase: seconds of warm-up, then measured
#   BENCH_PUSH_CLIENT_THREADS [2]     Netty event-loop threads shared by the Topaz consumers' connections
#   BENCH_PUSH_DRAIN [120]            at most this many seconds after a phase for every message to arrive
#   BENCH_KAFKA_FLUSH [interval]      interval: fsync every 2 ms behind the acks; append: before each ack; none
#   BENCH_TOPAZ_AGENT_ARGS []         extra agent flags
#   BENCH_SERVER_JVM_OPTS [-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20]   Kafka's own defaults, for both
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package # builds the control plane's and the agent's jars too
exec java -Xms512m -Xmx1g -Dlogback.configurationFile=bench-logback.xml \
  -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.topaz.bench.messaging.PushBench "$@"
