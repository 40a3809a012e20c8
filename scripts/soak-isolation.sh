#!/usr/bin/env bash
# Seller-group isolation's full run (issue 20): a control plane and four agents as processes (two in zone-a, two in
# zone-b, one agent cluster across both with a budget of 6 target connections), a PostgreSQL source (127.0.0.1:5432,
# user postgres) and a MariaDB target (127.0.0.1:3306, user root; the sync connects as a user of its own), each a
# fresh database dropped at the end, under order traffic:
#  - SOAK_ISOLATION_KILLS SIGKILLs of the agent holding the most seller groups (each restarted once its groups are
#    held again), then the loss of zone-a: reassignment time (kill → every group of the dead held by a live agent),
#    p50/p99 over the kills, and the zone's;
#  - a hot seller's spike beside 40 other sellers, not isolated, then isolated through the REST API (pin group,
#    assignment, target, publish; its group then moved to the quietest agent): the time to isolate, the time of the
#    move, and the other sellers' sync lag p99 in both spikes;
#  - the checks of the CI test (IsolationTest) over the whole run: no group ever held by two agents (a watcher on
#    ZooKeeper), no write by a stale owner (the fencing rows), the budget never exceeded (MariaDB's process list),
#    the target equal to the source after two reconciliations, no write that lowered `modified`.
# It is io.topaz.bench.sync.IsolationSoakTest; it prints its figures as lines starting with "soak-isolation:" and
# exits non-zero when a check fails. Results go into docs/benchmarks.md by hand, with the machine.
# Usage: scripts/soak-isolation.sh [extra Maven flags, e.g. -o]
# Environment (defaults in brackets): SOAK_ISOLATION_KILLS [20], SOAK_ISOLATION_RATE [100] (changes/s of the other
#   sellers), SOAK_ISOLATION_HOT_RATE [400] (changes/s of the hot seller's spike), SOAK_ISOLATION_SPIKE_SECONDS [30];
#   BENCH_SYNC_PG_URL, BENCH_SYNC_MARIADB_URL and their _PARAMS as for scripts/bench-sync.sh
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${SOAK_ISOLATION_KILLS:-20}
RATE=${SOAK_ISOLATION_RATE:-100}
HOT_RATE=${SOAK_ISOLATION_HOT_RATE:-400}
SPIKE=${SOAK_ISOLATION_SPIKE_SECONDS:-30}
for v in "$KILLS" "$RATE" "$HOT_RATE" "$SPIKE"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "soak-isolation: the SOAK_ISOLATION_* settings must be positive whole numbers" >&2; exit 2; }
done
echo "soak-isolation: $KILLS kills and a zone loss; a hot seller at $HOT_RATE/s beside others at $RATE/s for $SPIKE s"
# verify packages the control plane's and the agent's jars, which the test starts as processes.
# Maven's -D user properties reach the test JVM as system properties (topaz.isolation.*).
mkdir -p bench/target
status=0
mvn -B "$@" -pl bench -am verify -Dtest=IsolationSoakTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Djacoco.skip=true -Dtopaz.isolation.soak=true -Dtopaz.isolation.kills="$KILLS" -Dtopaz.isolation.rate="$RATE" \
  -Dtopaz.isolation.hot-rate="$HOT_RATE" -Dtopaz.isolation.spike-seconds="$SPIKE" > bench/target/soak-isolation.log \
  || status=$?
grep -E "Tests run:|BUILD|ERROR" bench/target/soak-isolation.log | tail -5 || true
# the test's output (surefire keeps it in a file): the progress and the figures
out=bench/target/surefire-reports/io.topaz.bench.sync.IsolationSoakTest-output.txt
[[ -f "$out" ]] && grep "soak-isolation:" "$out"
echo "soak-isolation: Maven's log in bench/target/soak-isolation.log, the processes' logs under bench/target/soak-isolation-*"
exit $status
