#!/usr/bin/env bash
# One signed TOP call to a Topaz gateway (md5 signing, docs/top-protocol.md "Signing"), answered in JSON.
#
#   scripts/top-call.sh <app_key> <method> [name=value ...]
#
# The gateway is $TOPAZ_GATEWAY_URL (default http://127.0.0.1:8080/router/rest). The app's secret is $TOPAZ_SECRET, or,
# for the quickstart's apps, read from .topaz/quickstart.env (TOPAZ_APP_SECRET for TOPAZ_APP_KEY,
# TOPAZ_PRODUCER_APP_SECRET for TOPAZ_PRODUCER_APP_KEY). Examples, after scripts/quickstart.sh:
#
#   scripts/top-call.sh demo-producer taobao.tmc.message.produce topic=taobao_trade_TradeChanged \
#       'content={"tid":1,"seller_nick":"topaz_demo_seller"}'
#   scripts/top-call.sh demo-app taobao.tmc.messages.consume quantity=10
#   scripts/top-call.sh demo-app taobao.tmc.messages.confirm s_message_ids=<id,…>
#
# Needs bash, curl and md5sum (or md5 on macOS).
set -euo pipefail

die() { echo "top-call: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: $0 <app_key> <method> [name=value ...]"
APP=$1 METHOD=$2
shift 2

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${TOPAZ_SECRET:-}" ] && [ -f "$ROOT/.topaz/quickstart.env" ]; then
  # shellcheck disable=SC1091
  set -a; . "$ROOT/.topaz/quickstart.env"; set +a
  if [ "$APP" = "${TOPAZ_APP_KEY:-}" ]; then TOPAZ_SECRET=$TOPAZ_APP_SECRET; fi
  if [ "$APP" = "${TOPAZ_PRODUCER_APP_KEY:-}" ]; then TOPAZ_SECRET=$TOPAZ_PRODUCER_APP_SECRET; fi
fi
[ -n "${TOPAZ_SECRET:-}" ] || die "no secret for app '$APP': set TOPAZ_SECRET"
URL=${TOPAZ_GATEWAY_URL:-http://127.0.0.1:8080/router/rest}

md5hex() { if command -v md5sum >/dev/null; then md5sum | cut -d' ' -f1; else md5 -q; fi; }

# Every parameter but sign, one "name=value" a line; sorted by name (bytes), then signed as
# MD5(secret + name1 + value1 + name2 + value2 + … + secret), upper-case hex. Empty values are not sent.
params=("method=$METHOD" "app_key=$APP" "format=json" "sign_method=md5" "v=2.0"
        "timestamp=$(TZ=Asia/Shanghai date '+%Y-%m-%d %H:%M:%S')")
for kv in "$@"; do
  case "$kv" in
    *=*) [ -n "${kv#*=}" ] && params+=("$kv") ;;
    *) die "'$kv' is not name=value" ;;
  esac
done
plain=$TOPAZ_SECRET
args=()
while IFS= read -r kv; do
  plain+="${kv%%=*}${kv#*=}"
  args+=(--data-urlencode "$kv")
done < <(printf '%s\n' "${params[@]}" | LC_ALL=C sort -t= -k1,1)
plain+=$TOPAZ_SECRET
sign=$(printf '%s' "$plain" | md5hex | tr 'a-f' 'A-F')
curl -sS "${args[@]}" --data-urlencode "sign=$sign" "$URL"
echo
