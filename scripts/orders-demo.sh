#!/usr/bin/env bash
# The order-traffic generator, after scripts/quickstart.sh: writes orders into the platform's order database
# (tb_trade) as a trade center does — create, pay, ship, finish or close, some logical deletes — and publishes one TOP
# trade message per change (taobao_trade_TradeCreate / TradeChanged / TradeClose, with tid, seller id and nick,
# modified) on agent-1's broker port as a platform service, with a PUBLISHER token. The order sync copies the orders
# of the demo sync target's seller groups into its database (docs/operations.md, Order sync: the demo end to end).
# First every generated seller permits the demo app, the sync target's app (a session of demo-app, then
# taobao.tmc.user.permit through the gateway, signed with TOPAZ_APP_KEY / TOPAZ_APP_SECRET): only sellers who
# authorized the target's app are synced.
#
#   scripts/orders-demo.sh --rate 50 --seconds 30 --sellers 100 --drop 0.1
#
#   --rate R       order changes a second (default 50)
#   --seconds S    how long (default 30)
#   --sellers N    how many sellers (default 100; Zipf-skewed: a few hot sellers get most orders; --skew 0 is uniform)
#   --drop F       the share of change messages NOT published, 0 to 1 (default 0): a publisher without an outbox;
#                  reconciliation repairs the orders they were about
#   --burst B      the chance that an order's change is followed at once by its next one while it has not shipped
#                  (placed, paid, edited, shipped in one burst), 0 to 0.95 (default 0: every change picks an order)
#   other flags: --skew 1.1  --open-per-seller 20  --seed 18  --db-url <jdbc url> (default: TOPAZ_ORDERS_DB_URL)
#                --app-key <app key> --app-secret <secret> the app the sellers permit (default: TOPAZ_APP_KEY /
#                TOPAZ_APP_SECRET, demo-app)
set -euo pipefail

die() { echo "orders-demo: $*" >&2; exit 2; }
case "${1:-}" in -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;; esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ENV_FILE="$ROOT/.topaz/quickstart.env"
[ -f "$ENV_FILE" ] || die "$ENV_FILE not found: run scripts/quickstart.sh first"
# shellcheck disable=SC1090
set -a; . "$ENV_FILE"; set +a
: "${TOPAZ_ORDERS_DB_URL:?not in $ENV_FILE: restart scripts/quickstart.sh (a quickstart from before the order sync)}"
: "${TOPAZ_PUBLISHER_TOKEN:?not in $ENV_FILE}" "${TOPAZ_BROKER_URL:?not in $ENV_FILE}"
BROKER=${TOPAZ_BROKER_URL/ws:/http:}
BROKER=${BROKER%/}

JAR="$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar"
if [ ! -f "$JAR" ]; then
  echo "orders-demo: building the bench module (mvn -DskipTests -pl bench -am package)…"
  (cd "$ROOT" && mvn -B -q -DskipTests -pl bench -am package) || die "the build failed"
fi
exec java -Xms64m -Xmx512m -Dlogback.configurationFile=bench-logback.xml -cp "$JAR:$ROOT/bench/target/lib/*" \
  io.topaz.bench.sync.OrderGenerator --broker "$BROKER" --control-url "$TOPAZ_CONTROL_URL" \
  --first-seller-id "${TOPAZ_DEMO_SELLER_ID:-3100000001}" --first-seller-nick "${TOPAZ_DEMO_SELLER_NICK:-topaz_demo_seller}" \
  "$@"
