#!/usr/bin/env bash
# The order sync's benchmark (issue 18), in one run, on the real services: a PostgreSQL source (127.0.0.1:5432, user
# postgres) and a MariaDB target (127.0.0.1:3306, user root), each a fresh database dropped at the end.
#  - live: a control plane and an agent (processes from the built jars; the agent with --orders-db-url), a sync
#    target covering four seller groups, and the order generator writing tb_trade and publishing trade messages on the
#    broker port at BENCH_SYNC_RATE changes/s: sustained rate, lag p99 (source modified → target written), source rows
#    read and target writes against the naive baseline of one read and one write per message;
#  - recon: BENCH_SYNC_ORDERS orders on both sides with six planted differences: full reconciliation (digests of tid
#    ranges in each database, bisected) against comparing every row.
# io.topaz.bench.sync.SyncBench drives both; results go into docs/benchmarks.md by hand, with the machine.
# Usage: scripts/bench-sync.sh
# Environment (defaults in brackets):
#   BENCH_SYNC_PARTS [live,recon]    which parts
#   BENCH_SYNC_RATE [5000]           order changes a second (one message each)
#   BENCH_SYNC_WARMUP [15] BENCH_SYNC_SECONDS [60]   seconds of warm-up, then measured
#   BENCH_SYNC_SELLERS [1000] BENCH_SYNC_SKEW [1.1] BENCH_SYNC_OPEN_PER_SELLER [20]   the generator's workload
#   BENCH_SYNC_BURST [0.5]           chance that an order's change is followed at once by its next one (checkout bursts)
#   BENCH_SYNC_BACKLOG [false]       true: publish with nobody syncing, then time the sync draining the backlog
#   BENCH_SYNC_AGENTS [1]            syncing agents
#   BENCH_SYNC_AGENT_JVM_OPTS [-Xms512m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20]   the agents' JVM options
#   BENCH_SYNC_ORDERS [1000000]      orders of the reconciliation part
#   BENCH_SYNC_COVERING_INDEX [true] also time the bisection again after adding an index of (bucket, tid, modified,
#                                    jdp_hashcode, deleted) on both sides (not in the schema: what reading rows costs)
#   BENCH_SYNC_PG_URL [jdbc:postgresql://127.0.0.1:5432] BENCH_SYNC_PG_PARAMS [?user=postgres]
#   BENCH_SYNC_MARIADB_URL [jdbc:mariadb://127.0.0.1:3306] BENCH_SYNC_MARIADB_PARAMS [?user=root]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package # builds the control plane's and the agent's jars too
exec java -Xms512m -Xmx2g -Dlogback.configurationFile=bench-logback.xml \
  -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.topaz.bench.sync.SyncBench "$@"
