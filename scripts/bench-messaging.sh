#!/usr/bin/env bash
# The message service's benchmark (issue 16): Topaz's taobao.tmc.message.produce and pull (messages.consume +
# confirm) against Apache Kafka 4.1.1 (a single KRaft node, acks=all, the log flushed every 2 ms as Topaz's group
# commit), the same workload in the same run: produce throughput (1 KiB messages, acknowledged = durable, a fixed
# number of producers) and produce -> consume latency p50/p99 at a fixed rate, for 1 and for 10 subscribed apps per
# message, with the ratios Topaz / Kafka. Both systems run as processes of their own (Topaz: a control plane and
# BENCH_TOPAZ_AGENTS agents from the built jars, on ephemeral ports; Kafka: from the bench module's classpath);
# io.topaz.bench.messaging.MessagingBench drives them. Results go into docs/benchmarks.md by hand, with the machine.
# Usage: scripts/bench-messaging.sh
# Environment (defaults in brackets):
#   BENCH_MSG_SYSTEMS [kafka,topaz]   which systems to run (kafka alone needs no Topaz broker)
#   BENCH_MSG_FANOUTS [1,10]          subscribed apps per message (Kafka: consumer groups of one topic)
#   BENCH_MSG_PRODUCERS [16]          producer threads, each waiting for its acknowledgement
#   BENCH_MSG_WARMUP [20] BENCH_MSG_SECONDS [30]   throughput phase: seconds of warm-up, then measured
#   BENCH_MSG_LATENCY_WARMUP [5]      latency phase: seconds at the rate before the measured BENCH_MSG_SECONDS
#   BENCH_MSG_RATE [1000]             the latency phase's total produce rate, msg/s; "auto": half the lower maximum
#   BENCH_MSG_QUANTITY [100]          messages per consume call (Kafka: max.poll.records)
#   BENCH_MSG_IDLE_MS [2]             a Topaz consumer's wait after an empty consume
#   BENCH_KAFKA_FLUSH [interval]      interval: fsync every 2 ms behind the acks; append: fsync before each ack;
#                                     none: never (Kafka's default; a reference point only)
#   BENCH_TOPAZ_AGENTS [1]            Topaz agents (one: the single-node analogue of one Kafka broker)
#   BENCH_TOPAZ_AGENT_ARGS []         extra agent flags (e.g. the broker's group-commit interval, once it has one)
#   BENCH_SERVER_JVM_OPTS [-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20]   Kafka's own defaults, for both
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package # builds the control plane's and the agent's jars too
exec java -Xms512m -Xmx1g -Dlogback.configurationFile=bench-logback.xml \
  -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.topaz.bench.messaging.MessagingBench "$@"
