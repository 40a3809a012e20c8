#!/usr/bin/env bash
# The order sync's soak (issue 18): the engine's zero-loss test (io.topaz.agent.sync.engine.ZeroLossSyncTest) at
# 1,000,000 orders instead of CI's 100,000 — a PostgreSQL source and a MariaDB target (the real services), a random
# update stream with 10 % of the change messages dropped, duplicated and reordered, the target connection killed
# mid-batch; after two reconciliation cycles the target must equal the source row for row, and a trigger on the
# target must have recorded no write that lowered `modified`. Exits non-zero when it does not hold.
# Usage: scripts/soak-sync.sh
# Environment (defaults in brackets): SOAK_SYNC_ORDERS [1000000], SOAK_SYNC_UPDATES [1000000] (updates in the stream)
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS=${SOAK_SYNC_ORDERS:-1000000}
UPDATES=${SOAK_SYNC_UPDATES:-1000000}
[[ "$ORDERS" =~ ^[1-9][0-9]*$ && "$UPDATES" =~ ^[1-9][0-9]*$ ]] \
  || { echo "soak-sync: SOAK_SYNC_ORDERS and SOAK_SYNC_UPDATES must be positive whole numbers" >&2; exit 2; }
echo "soak-sync: $ORDERS orders, $UPDATES updates (PostgreSQL 127.0.0.1:5432 → MariaDB 127.0.0.1:3306)"
# Maven's -D user properties reach the test JVM as system properties (topaz.sync.test.*).
exec mvn -B -pl agent -am test -Dtest=ZeroLossSyncTest -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true \
  -Dtopaz.sync.test.orders="$ORDERS" -Dtopaz.sync.test.updates="$UPDATES"
