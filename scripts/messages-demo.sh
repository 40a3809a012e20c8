#!/usr/bin/env bash
# A stream of demo order events through the message service, after scripts/quickstart.sh: the demo producer produces
# taobao_trade_TradeChanged (or $TOPAZ_DEMO_TOPIC) about the demo seller, R messages a second for S seconds, each
# {"tid":<n>,"seller_nick":"<demo seller>","status":…,"payment":…}; the demo app, which the seller permitted, receives
# them in its default group. Prints how many were acknowledged (durable) and how to consume them.
#
#   scripts/messages-demo.sh --rate 5 --seconds 10
set -euo pipefail

die() { echo "messages-demo: $*" >&2; exit 2; }
RATE=5 SECONDS_TOTAL=10
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) RATE=${2:-}; shift 2 ;;
    --seconds) SECONDS_TOTAL=${2:-}; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (use --rate R --seconds S)" ;;
  esac
done
[[ "$RATE" =~ ^[1-9][0-9]*$ ]] && [ "$RATE" -le 1000 ] || die "--rate must be 1 to 1000 messages a second"
[[ "$SECONDS_TOTAL" =~ ^[1-9][0-9]*$ ]] || die "--seconds must be a positive whole number"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ENV_FILE="$ROOT/.topaz/quickstart.env"
[ -f "$ENV_FILE" ] || die "$ENV_FILE not found: run scripts/quickstart.sh first"
# shellcheck disable=SC1090
set -a; . "$ENV_FILE"; set +a
: "${TOPAZ_PRODUCER_APP_KEY:?not in $ENV_FILE}" "${TOPAZ_DEMO_SELLER_NICK:?not in $ENV_FILE}"
TOPIC=${TOPAZ_DEMO_TOPIC:-taobao_trade_TradeChanged}

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
TOTAL=$((RATE * SECONDS_TOTAL))
GAP=$(awk -v r="$RATE" 'BEGIN { printf "%.4f", 1 / r }')
BASE=$(date +%s)000
STATUSES=(WAIT_BUYER_PAY WAIT_SELLER_SEND_GOODS WAIT_BUYER_CONFIRM_GOODS TRADE_FINISHED)
echo "messages-demo: producing $TOTAL messages of $TOPIC ($RATE/s for ${SECONDS_TOTAL}s) as $TOPAZ_PRODUCER_APP_KEY" \
  "about seller $TOPAZ_DEMO_SELLER_NICK"
for n in $(seq 1 "$TOTAL"); do
  tid=$((BASE + n))
  status=${STATUSES[$((n % ${#STATUSES[@]}))]}
  content="{\"tid\":$tid,\"seller_nick\":\"$TOPAZ_DEMO_SELLER_NICK\",\"status\":\"$status\",\"payment\":\"$((n % 500 + 1)).00\"}"
  # each call in the background, so a slow answer does not slow the rate; its answer in its own file
  "$ROOT/scripts/top-call.sh" "$TOPAZ_PRODUCER_APP_KEY" taobao.tmc.message.produce "topic=$TOPIC" \
    "content=$content" > "$OUT/$n" 2>&1 &
  sleep "$GAP"
done
wait
ok=$(grep -l '"is_success":true' "$OUT"/* 2>/dev/null | wc -l | tr -d ' ')
failed=$((TOTAL - ok))
echo "messages-demo: $ok acknowledged, $failed refused or failed"
if [ "$failed" -gt 0 ]; then
  first=$(grep -L '"is_success":true' "$OUT"/* | head -1)
  echo "messages-demo: e.g. $(cat "$first")"
fi
echo "messages-demo: consume them as the demo app (repeat until \"messages\":{}):"
echo "  scripts/top-call.sh ${TOPAZ_APP_KEY:-demo-app} taobao.tmc.messages.consume quantity=100"
echo "  scripts/top-call.sh ${TOPAZ_APP_KEY:-demo-app} taobao.tmc.messages.confirm s_message_ids=<the ids, comma-separated>"
[ "$failed" -eq 0 ]
