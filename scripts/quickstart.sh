#!/usr/bin/env bash
# Topaz quickstart: build, then run a local cluster on embedded defaults — an in-process ZooKeeper (port 2181) inside
# the control plane (port 9080), and two agents (admin ports 8082 and 8182) — seed a demo config, publish it, and wait
# until both agents have applied it. Needs only JDK 17, Maven and curl.
#
# The order sync's databases: by default an H2 server on 127.0.0.1:9092 (its files in .topaz/data/orders-db) holds
# both the platform's order database (orders) and the demo app's sync target (jdp). With real databases instead:
#   TOPAZ_ORDERS_DB_URL=jdbc:postgresql://127.0.0.1:5432/topaz_orders?user=postgres \
#   TOPAZ_SYNC_TARGET_URL=jdbc:mariadb://127.0.0.1:3306/topaz_jdp?user=root scripts/quickstart.sh
# (each database is created when missing; the target's user is the URL's user= parameter, or
# TOPAZ_SYNC_TARGET_USER; its password, if any, TOPAZ_SYNC_TARGET_PASSWORD, kept encrypted by the control plane).
#
#   scripts/quickstart.sh          build, start, seed; stays in the foreground; Ctrl-C stops everything
#   scripts/quickstart.sh stop     stops a quickstart running elsewhere
#
# State lives in .topaz/ (data, logs, pids, quickstart.env); delete it for a fresh start.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE="$ROOT/.topaz"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
ENV_FILE="$STATE/quickstart.env"
CONTROL_URL="http://127.0.0.1:9080"
VERSION="0.1.0-SNAPSHOT"
CP_JAR="$ROOT/control-plane/target/control-plane-$VERSION-exec.jar"
AGENT_JAR="$ROOT/agent/target/agent-$VERSION.jar"
DEMO_JAR="$ROOT/demo-upstream/target/demo-upstream-$VERSION.jar"

say() { printf '%s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

stop_all() {
  [ -f "$PIDS" ] || return 0
  # Agents first, so they unregister while ZooKeeper (inside the control plane) is still up.
  local pids
  pids=$(tac "$PIDS")
  for pid in $pids; do
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$PIDS"
}

if [ "${1:-}" = "stop" ]; then
  if [ -f "$PIDS" ]; then stop_all; say "Topaz stopped"; else say "quickstart: nothing is running"; fi
  exit 0
fi
[ $# -eq 0 ] || die "unknown argument '$1' (use no argument to start, or 'stop')"

command -v java >/dev/null || die "java not found: install JDK 17"
command -v mvn >/dev/null || die "mvn not found: install Maven"
command -v curl >/dev/null || die "curl not found: install curl"
if [ -f "$PIDS" ]; then
  for pid in $(cat "$PIDS"); do
    kill -0 "$pid" 2>/dev/null && die "a quickstart is already running (pid $pid); run 'scripts/quickstart.sh stop' first"
  done
  rm -f "$PIDS"
fi
ORDERS_DB_PORT=9092   # the embedded H2 server of the order sync's databases, unless TOPAZ_ORDERS_DB_URL is set
PORTS="2181 9080 9090 8080 8081 8082 8180 8181 8182"
[ -n "${TOPAZ_ORDERS_DB_URL:-}" ] && [ -n "${TOPAZ_SYNC_TARGET_URL:-}" ] || PORTS="$PORTS $ORDERS_DB_PORT"
for port in $PORTS; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is already in use; stop what listens there (ss -ltnp 'sport = :$port') and try again"
  fi
done

say "quickstart: building (mvn -DskipTests package)…"
mkdir -p "$STATE"
# Maven's output (even -q -B prints colour resets) goes to a log, shown by name only when the build fails.
(cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests package) >"$STATE/build.log" 2>&1 \
  || die "the build failed; see $STATE/build.log (or run 'mvn -B -DskipTests package')"
[ -f "$CP_JAR" ] || die "missing $CP_JAR after the build"
[ -f "$AGENT_JAR" ] || die "missing $AGENT_JAR after the build"
[ -f "$DEMO_JAR" ] || die "missing $DEMO_JAR after the build"
BENCH_CP="$ROOT/bench/target/bench-$VERSION.jar:$ROOT/bench/target/lib/*"
[ -f "$ROOT/bench/target/bench-$VERSION.jar" ] || die "missing bench/target/bench-$VERSION.jar after the build"

# The servers run from a copy of what was just built: a rebuild while Topaz runs (mvn verify, an IDE) rewrites the
# jars under target/, and a JVM whose jar is replaced under it fails on the next class it loads.
RUN="$STATE/run"
rm -rf "$RUN"
mkdir -p "$RUN/agent" "$RUN/control-plane" "$RUN/demo-upstream"
cp "$AGENT_JAR" "$RUN/agent/" && cp -r "$ROOT/agent/target/lib" "$RUN/agent/lib"
cp "$CP_JAR" "$RUN/control-plane/"
cp "$DEMO_JAR" "$RUN/demo-upstream/" && cp -r "$ROOT/demo-upstream/target/lib" "$RUN/demo-upstream/lib"
AGENT_JAR="$RUN/agent/$(basename "$AGENT_JAR")"
AGENT_LIB="$RUN/agent/lib"
CP_JAR="$RUN/control-plane/$(basename "$CP_JAR")"
DEMO_JAR="$RUN/demo-upstream/$(basename "$DEMO_JAR")"

mkdir -p "$STATE/data" "$LOGS"
if [ ! -s "$STATE/admin-token" ]; then
  (umask 077; printf 'tpz_%s\n' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" > "$STATE/admin-token")
fi
TOKEN=$(cat "$STATE/admin-token")
# ZooKeeper identities (user:password, digest scheme): made once, owner-only from the first byte, kept across runs —
# the embedded ZooKeeper's tree carries ACLs naming them. The processes get the file paths, never the secrets.
ZK_CP_AUTH="$STATE/zk-control-plane"
ZK_AGENT_AUTH="$STATE/zk-agent"
for who in control-plane agent; do
  if [ ! -s "$STATE/zk-$who" ]; then
    (umask 077; printf 'topaz-%s:%s\n' "$who" "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" > "$STATE/zk-$who")
  fi
done

trap 'say ""; say "quickstart: stopping…"; stop_all; say "Topaz stopped"; exit 0' INT TERM

start() { # name, log, command…
  local name=$1; shift
  "$@" >"$LOGS/$name.log" 2>&1 &
  echo $! >> "$PIDS"
}

wait_http() { # name, url, seconds
  local name=$1 url=$2 secs=$3
  for _ in $(seq 1 $((secs * 2))); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  stop_all
  die "$name did not answer at $url within ${secs}s; see $LOGS/$name.log"
}

JAVA_OPTS=${JAVA_OPTS:-"-Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"}
say "quickstart: starting the control plane with embedded ZooKeeper…"
TOPAZ_SECURITY_BOOTSTRAPADMINTOKEN="$TOKEN" start control-plane \
  java $JAVA_OPTS -jar "$CP_JAR" --topaz.data-dir="$STATE/data/control-plane" --server.port=9080 \
  --topaz.zookeeper.embedded-port=2181 \
  --topaz.zookeeper.auth.control-plane-file="$ZK_CP_AUTH" --topaz.zookeeper.auth.agent-file="$ZK_AGENT_AUTH"
wait_http control-plane "$CONTROL_URL/actuator/health" 120

say "quickstart: starting the demo upstream…"
start demo-upstream java -Xms32m -Xmx128m -XX:+UseSerialGC -jar "$DEMO_JAR" --port=9090
wait_http demo-upstream "http://127.0.0.1:9090/health" 60

# The order sync's databases: the platform's order database (tb_trade, written by scripts/orders-demo.sh) and the
# demo app's target (jdp_tb_trade, written by the agents). Embedded: one H2 server over TCP, reachable from 127.0.0.1
# only, creating a database at its first connection (-ifNotExists) in $STATE/data/orders-db.
ORDERS_DB_URL=${TOPAZ_ORDERS_DB_URL:-}
SYNC_TARGET_URL=${TOPAZ_SYNC_TARGET_URL:-}
if [ -z "$ORDERS_DB_URL" ] || [ -z "$SYNC_TARGET_URL" ]; then
  say "quickstart: starting the order databases (H2 on 127.0.0.1:$ORDERS_DB_PORT)…"
  mkdir -p "$STATE/data/orders-db"
  start orders-db java -Xms32m -Xmx256m -XX:+UseSerialGC -cp "$AGENT_LIB/*" org.h2.tools.Server \
    -tcp -tcpPort "$ORDERS_DB_PORT" -ifNotExists -baseDir "$STATE/data/orders-db"
  for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$ORDERS_DB_PORT") 2>/dev/null && break; sleep 0.5; done
  (exec 3<>"/dev/tcp/127.0.0.1/$ORDERS_DB_PORT") 2>/dev/null \
    || { stop_all; die "the H2 server did not listen on $ORDERS_DB_PORT in 30s; see $LOGS/orders-db.log"; }
  [ -n "$ORDERS_DB_URL" ] || ORDERS_DB_URL="jdbc:h2:tcp://127.0.0.1:$ORDERS_DB_PORT/orders"
  [ -n "$SYNC_TARGET_URL" ] || SYNC_TARGET_URL="jdbc:h2:tcp://127.0.0.1:$ORDERS_DB_PORT/jdp"
fi
case "$SYNC_TARGET_URL" in
  *[?\&\;]user=*) url_user=${SYNC_TARGET_URL#*user=}; url_user=${url_user%%[&;]*} ;;
  jdbc:h2:*) url_user=sa ;;
  jdbc:postgresql:*) url_user=postgres ;;
  *) url_user=root ;;
esac
SYNC_TARGET_USER=${TOPAZ_SYNC_TARGET_USER:-$url_user}
java -Xms32m -Xmx128m -XX:+UseSerialGC -Dlogback.configurationFile=bench-logback.xml -cp "$BENCH_CP" \
  io.topaz.bench.sync.OrdersDb --source "$ORDERS_DB_URL" --target "$SYNC_TARGET_URL" >"$LOGS/orders-db-setup.log" 2>&1 \
  || { stop_all; die "preparing the order databases failed: $(tail -3 "$LOGS/orders-db-setup.log")"; }

api() { # method, path, [json]
  local method=$1 path=$2 body=${3:-}
  if [ -n "$body" ]; then
    curl -sS -X "$method" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "$body" -w '\n%{http_code}' "$CONTROL_URL$path"
  else
    curl -sS -X "$method" -H "Authorization: Bearer $TOKEN" -w '\n%{http_code}' "$CONTROL_URL$path"
  fi
}
seed() { # path, key, json — creates the entry unless it exists
  local path=$1 key=$2 body=$3 out
  out=$(api GET "$path/$key")
  [ "${out##*$'\n'}" = 200 ] && return 0
  out=$(api POST "$path" "$body")
  [ "${out##*$'\n'}" = 201 ] || { stop_all; die "seeding $path/$key failed: ${out%$'\n'*}"; }
}

json_field() { # name: the first string value of that field in stdin's JSON
  grep -o "\"$1\":\"[^\"]*\"" | head -1 | sed "s/^\"$1\":\"//; s/\"\$//"
}

# The agents read apps and sessions from the control plane with a token of the AGENT role (made anew each run).
api DELETE /api/v1/tokens/quickstart-agents >/dev/null
out=$(api POST /api/v1/tokens '{"name":"quickstart-agents","role":"AGENT"}')
[ "${out##*$'\n'}" = 201 ] || { stop_all; die "creating the agents' token failed: ${out%$'\n'*}"; }
AGENT_TOKEN=$(printf '%s' "${out%$'\n'*}" | json_field token)
# The order generator (scripts/orders-demo.sh) publishes on the broker port as a platform service: a PUBLISHER token.
api DELETE /api/v1/tokens/quickstart-orders >/dev/null
out=$(api POST /api/v1/tokens '{"name":"quickstart-orders","role":"PUBLISHER"}')
[ "${out##*$'\n'}" = 201 ] || { stop_all; die "creating the order generator's token failed: ${out%$'\n'*}"; }
PUBLISHER_TOKEN=$(printf '%s' "${out%$'\n'*}" | json_field token)
REDIS_FLAG=""
[ -n "${TOPAZ_REDIS_URI:-}" ] && REDIS_FLAG="--redis-uri=$TOPAZ_REDIS_URI"

AGENT_OPTS=${AGENT_OPTS:-"-Xms32m -Xmx256m -XX:+UseSerialGC"}
for n in 1 2; do
  base=$((8000 + n * 100 - 20))   # agent 1: 8080…8082, agent 2: 8180…8182
  say "quickstart: starting agent-$n…"
  TOPAZ_AGENT_TOKEN="$AGENT_TOKEN" start "agent-$n" java $AGENT_OPTS -jar "$AGENT_JAR" --id="agent-$n" --zone=local \
    --host=127.0.0.1 --cluster=local --zk-connect=127.0.0.1:2181 --admin-port=$((base + 2)) --gateway-port=$base \
    --broker-port=$((base + 1)) --data-dir="$STATE/data/agent-$n" --control-url="$CONTROL_URL" $REDIS_FLAG \
    --zk-auth-file="$ZK_AGENT_AUTH" --orders-db-url="$ORDERS_DB_URL"
done
wait_http agent-1 "http://127.0.0.1:8082/health" 60
wait_http agent-2 "http://127.0.0.1:8182/health" 60

say "quickstart: seeding the demo config…"
seed /api/v1/agent-clusters local '{"name":"local","zones":["local"],"description":"the quickstart agents"}'
seed /api/v1/apis taobao.time.get '{"method":"taobao.time.get","apiGroup":"basic","upstreams":[{"url":"http://127.0.0.1:9090","weight":100}],"timeoutMillis":3000,"sessionRequired":false,"requiredParameters":[]}'
# An app's secret is shown only at creation (or rotation), so keep it in the state directory.
seed_app() { # app key, name, allowed API groups (JSON array) → the secret, kept in $STATE/<app key>.secret
  local key=$1 name=$2 groups=$3 out
  out=$(api GET "/api/v1/apps/$key")
  if [ "${out##*$'\n'}" != 200 ]; then
    out=$(api POST /api/v1/apps "{\"appKey\":\"$key\",\"name\":\"$name\",\"owner\":\"quickstart\",\"allowedApiGroups\":$groups}")
    [ "${out##*$'\n'}" = 201 ] || { stop_all; die "creating the app $key failed: ${out%$'\n'*}"; }
    (umask 077; printf '%s' "${out%$'\n'*}" | json_field secret > "$STATE/$key.secret")
  elif [ ! -s "$STATE/$key.secret" ]; then
    out=$(api POST "/api/v1/apps/$key/secret" '{"graceSeconds":0}')
    [ "${out##*$'\n'}" = 200 ] || { stop_all; die "rotating the secret of $key failed: ${out%$'\n'*}"; }
    (umask 077; printf '%s' "${out%$'\n'*}" | json_field secret > "$STATE/$key.secret")
  fi
}
seed_app demo-app "Demo app" '["basic","tmc"]'
APP_SECRET=$(cat "$STATE/demo-app.secret")
# the demo app consumes messages (taobao.tmc.*, API group tmc); an app seeded by an older quickstart lacks the group
out=$(api PUT /api/v1/apps/demo-app/groups '{"allowedApiGroups":["basic","tmc"]}')
[ "${out##*$'\n'}" = 200 ] || { stop_all; die "giving demo-app the tmc API group failed: ${out%$'\n'*}"; }
# The message service's demo: a producer app that may produce the trade topics (the tmc API group is where the
# taobao.tmc.* methods are served), the demo app subscribed to them.
PRODUCER_APP=demo-producer
DEMO_TOPIC=taobao_trade_TradeChanged
seed_app "$PRODUCER_APP" "Demo producer" '["tmc"]'
PRODUCER_SECRET=$(cat "$STATE/$PRODUCER_APP.secret")
# One line a topic, in the shape DocumentedCommandsTest reads the quickstart's seed with.
seed /api/v1/topics taobao_trade_TradeCreate '{"name":"taobao_trade_TradeCreate","group":"taobao_trade","description":"demo order events","producerApps":["demo-producer"],"dataIdField":"tid"}'
seed /api/v1/topics taobao_trade_TradeChanged '{"name":"taobao_trade_TradeChanged","group":"taobao_trade","description":"demo order events","producerApps":["demo-producer"],"dataIdField":"tid"}'
seed /api/v1/topics taobao_trade_TradeClose '{"name":"taobao_trade_TradeClose","group":"taobao_trade","description":"demo order events","producerApps":["demo-producer"],"dataIdField":"tid"}'
seed /api/v1/subscriptions demo-app '{"appKey":"demo-app","topics":["taobao_trade_TradeCreate","taobao_trade_TradeChanged","taobao_trade_TradeClose"]}'
seed /api/v1/apis taobao.user.seller.get '{"method":"taobao.user.seller.get","apiGroup":"basic","upstreams":[{"url":"http://127.0.0.1:9090/api","weight":100}],"timeoutMillis":3000,"sessionRequired":true,"requiredParameters":[]}'
seed /api/v1/apis taobao.item.get '{"method":"taobao.item.get","apiGroup":"basic","upstreams":[{"url":"http://127.0.0.1:9090/api","weight":100}],"timeoutMillis":3000,"sessionRequired":false,"requiredParameters":["num_iid"]}'
# traffic control: a ceiling on the demo API (far above what one machine sends, so benchmarks measure the gateway, not
# the limit), the demo APIs' tier, and overload shedding for the local cluster
seed /api/v1/flow-rules time-get-qps '{"id":"time-get-qps","scope":"API","method":"taobao.time.get","qps":200000,"mode":"SINGLE_NODE"}'
seed /api/v1/api-groups basic '{"name":"basic","tier":"NORMAL","description":"the demo APIs"}'
seed /api/v1/overload-rules local '{"id":"local","cluster":"local","maxInFlight":4000,"maxLatencyMillis":1000}'
# The order sync's demo: two seller groups (half the buckets each) assigned to the local cluster — each synced by one
# of the two agents — and the demo app's sync target covering both.
seed /api/v1/seller-groups sellers-a '{"name":"sellers-a","description":"demo sellers, first half","bucketFrom":0,"bucketTo":512}'
seed /api/v1/seller-groups sellers-b '{"name":"sellers-b","description":"demo sellers, second half","bucketFrom":512,"bucketTo":1024}'
seed /api/v1/assignments sellers-a '{"sellerGroup":"sellers-a","cluster":"local"}'
seed /api/v1/assignments sellers-b '{"sellerGroup":"sellers-b","cluster":"local"}'
SYNC_TARGET=demo-jdp
SYNC_TARGET_JSON="{\"name\":\"$SYNC_TARGET\",\"appKey\":\"demo-app\",\"jdbcUrl\":\"$SYNC_TARGET_URL\",\"user\":\"$SYNC_TARGET_USER\",\"sellerGroups\":[\"sellers-a\",\"sellers-b\"],\"description\":\"the demo app's order copy\"}"
seed /api/v1/sync-targets "$SYNC_TARGET" "$SYNC_TARGET_JSON"
out=$(api GET "/api/v1/sync-targets/$SYNC_TARGET")
if ! printf '%s' "$out" | grep -qF "\"jdbcUrl\":\"$SYNC_TARGET_URL\""; then
  # a quickstart run before on other databases (embedded, or other URLs): the target follows this run's
  version=$(printf '%s' "$out" | grep -o '"version":[0-9]*' | head -1 | cut -d: -f2)
  out=$(api PUT "/api/v1/sync-targets/$SYNC_TARGET?version=$version" "$SYNC_TARGET_JSON")
  [ "${out##*$'\n'}" = 200 ] || { stop_all; die "pointing the sync target $SYNC_TARGET at $SYNC_TARGET_URL failed: ${out%$'\n'*}"; }
fi
if [ -n "${TOPAZ_SYNC_TARGET_PASSWORD:-}" ]; then
  out=$(api PUT "/api/v1/sync-targets/$SYNC_TARGET/password" \
    "{\"password\":\"$(printf '%s' "$TOPAZ_SYNC_TARGET_PASSWORD" | sed 's/[\\"]/\\&/g')\"}")
  [ "${out##*$'\n'}" = 200 ] || [ "${out##*$'\n'}" = 204 ] \
    || { stop_all; die "setting the sync target's password failed: ${out%$'\n'*}"; }
fi
diff=$(api GET /api/v1/draft/diff)
if ! printf '%s' "$diff" | grep -q '"changes":\[\]'; then
  # a publish names the draft revision it read (here: the diff just read), so it ships nothing unreviewed
  rev=$(printf '%s' "$diff" | grep -o '"draftRevision":[0-9]*' | cut -d: -f2)
  out=$(api POST /api/v1/releases "{\"message\":\"quickstart demo config\",\"draftRevision\":$rev}")
  [ "${out##*$'\n'}" = 201 ] || { stop_all; die "publishing failed: ${out%$'\n'*}"; }
fi

# A demo seller (TOP's user ids are positive 64-bit integers; nicks are unique) who has permitted the demo app for
# every topic it subscribes to — so the order sync copies its orders to demo-jdp (a sync target copies only the
# sellers who permitted its app; scripts/orders-demo.sh has each of its sellers permit demo-app the same way). A permit is given with the seller's session of the app, and needs the subscription
# in the live release, hence after the publish. Permits are data the agents change (AGENT token), not config.
SELLER_ID=3100000001
SELLER_NICK=topaz_demo_seller
seed /api/v1/users "$SELLER_ID" "{\"userId\":\"$SELLER_ID\",\"nick\":\"$SELLER_NICK\"}"
agent_api() { # method, path, [json] — as the agents call the control plane
  curl -sS -X "$1" -H "Authorization: Bearer $AGENT_TOKEN" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} -w '\n%{http_code}' "$CONTROL_URL$2"
}
out=$(agent_api GET "/api/v1/metadata/tmc/apps/demo-app/permits?nick=$SELLER_NICK")
if [ "${out##*$'\n'}" != 200 ]; then
  out=$(api POST /api/v1/sessions "{\"appKey\":\"demo-app\",\"userId\":\"$SELLER_ID\"}")
  [ "${out##*$'\n'}" = 201 ] || { stop_all; die "issuing the demo seller's session failed: ${out%$'\n'*}"; }
  out=$(agent_api POST /api/v1/metadata/tmc/apps/demo-app/permits/permit "{\"userId\":\"$SELLER_ID\"}")
  [ "${out##*$'\n'}" = 200 ] || { stop_all; die "the demo seller's permit failed: ${out%$'\n'*}"; }
fi

say "quickstart: waiting for both agents to apply the live release…"
applied=""
for _ in $(seq 1 60); do
  fleet=$(api GET /api/v1/agents)
  if printf '%s' "$fleet" | grep -q '"agents":2,"lagging":0'; then applied=yes; break; fi
  sleep 0.5
done
[ -n "$applied" ] || { stop_all; die "the agents did not apply the release in 30s: ${fleet%$'\n'*}"; }

# One signed TOP call through agent-1's gateway (md5: MD5(secret + sorted name+value pairs + secret)).
GATEWAY_URL=http://127.0.0.1:8080/router/rest
top_call() { # method → the gateway's answer
  local ts sign
  ts=$(TZ=Asia/Shanghai date '+%Y-%m-%d %H:%M:%S')
  sign=$(printf '%s' "${APP_SECRET}app_keydemo-appformatjsonmethod$1sign_methodmd5timestamp${ts}v2.0${APP_SECRET}" \
    | md5sum | cut -d' ' -f1 | tr 'a-f' 'A-F')
  curl -sS "$GATEWAY_URL?method=$1&app_key=demo-app&format=json&sign_method=md5&v=2.0&timestamp=${ts// /%20}&sign=$sign"
}
answered=""
for _ in $(seq 1 40); do
  reply=$(top_call taobao.time.get 2>/dev/null || true)
  if printf '%s' "$reply" | grep -q '"time_get_response"'; then answered=yes; break; fi
  sleep 0.5
done
[ -n "$answered" ] || { stop_all; die "the gateway did not answer a signed call in 20s: $reply; see $LOGS/agent-1.log"; }

(umask 077; cat > "$ENV_FILE") <<ENV
TOPAZ_CONTROL_URL=$CONTROL_URL
TOPAZ_TOKEN=$TOKEN
TOPAZ_ZK_CONNECT=127.0.0.1:2181
TOPAZ_ZK_AUTH_FILE=$ZK_AGENT_AUTH
TOPAZ_ZK_CONTROL_PLANE_AUTH_FILE=$ZK_CP_AUTH
TOPAZ_AGENT1_ADMIN_URL=http://127.0.0.1:8082
TOPAZ_AGENT2_ADMIN_URL=http://127.0.0.1:8182
TOPAZ_GATEWAY_URL=$GATEWAY_URL
TOPAZ_APP_KEY=demo-app
TOPAZ_APP_SECRET=$APP_SECRET
TOPAZ_DEMO_METHOD=taobao.time.get
TOPAZ_DEMO_UPSTREAM_URL=http://127.0.0.1:9090
TOPAZ_PRODUCER_APP_KEY=$PRODUCER_APP
TOPAZ_PRODUCER_APP_SECRET=$PRODUCER_SECRET
TOPAZ_DEMO_TOPIC=$DEMO_TOPIC
TOPAZ_DEMO_SELLER_NICK=$SELLER_NICK
TOPAZ_DEMO_SELLER_ID=$SELLER_ID
TOPAZ_BROKER_URL=ws://127.0.0.1:8081/
TOPAZ_PUBLISHER_TOKEN=$PUBLISHER_TOKEN
TOPAZ_AGENT_TOKEN=$AGENT_TOKEN
TOPAZ_ORDERS_DB_URL=$ORDERS_DB_URL
TOPAZ_SYNC_TARGET=$SYNC_TARGET
TOPAZ_SYNC_TARGET_URL=$SYNC_TARGET_URL
TOPAZ_SYNC_TARGET_USER=$SYNC_TARGET_USER
ENV
chmod 600 "$ENV_FILE"

say ""
say "  control plane   $CONTROL_URL"
say "  REST API docs   $CONTROL_URL/swagger-ui.html (Swagger UI: paste the admin token when asked)"
say "                  $CONTROL_URL/v3/api-docs (OpenAPI; needs the token: -H \"Authorization: Bearer \$TOPAZ_TOKEN\")"
say "  admin token     $TOKEN"
say "  ZooKeeper       127.0.0.1:2181 (embedded)"
say "  agent-1 admin   http://127.0.0.1:8082/health   /metrics"
say "  agent-2 admin   http://127.0.0.1:8182/health   /metrics"
say "  gateway         $GATEWAY_URL   (agent-2: http://127.0.0.1:8180/router/rest)"
say "  demo app        demo-app (its secret is in the settings file); demo upstream http://127.0.0.1:9090"
say "  a signed call   $reply"
say "  message service trade topics producible by $PRODUCER_APP, demo-app subscribed, seller $SELLER_NICK"
say "                  ($SELLER_ID) has permitted demo-app; one message, signed TOP calls (scripts/top-call.sh signs):"
say "    produce       scripts/top-call.sh $PRODUCER_APP taobao.tmc.message.produce topic=$DEMO_TOPIC \\"
say "                    'content={\"tid\":1,\"seller_nick\":\"$SELLER_NICK\"}'"
say "    consume       scripts/top-call.sh demo-app taobao.tmc.messages.consume quantity=10"
say "    confirm       scripts/top-call.sh demo-app taobao.tmc.messages.confirm s_message_ids=<the ids consumed>"
say "    a stream      scripts/messages-demo.sh --rate 5 --seconds 10"
say "    push          a TOP message client (TmcClient) at ws://127.0.0.1:8081/ with demo-app's key and secret"
say "  order sync      orders $ORDERS_DB_URL"
say "                  → target $SYNC_TARGET ($SYNC_TARGET_URL, user $SYNC_TARGET_USER) for demo-app, groups sellers-a, sellers-b"
say "    orders        scripts/orders-demo.sh --rate 50 --seconds 30 --sellers 100 --drop 0.1"
say "    status        curl -H \"Authorization: Bearer \$TOPAZ_TOKEN\" $CONTROL_URL/api/v1/sync/status"
say "  try             curl -H \"Authorization: Bearer \$TOPAZ_TOKEN\" $CONTROL_URL/api/v1/agents"
say "  settings        $ENV_FILE   logs: $LOGS/"
say "Topaz is up"

# Stay in the foreground until Ctrl-C, or until 'quickstart.sh stop' ends the processes.
while [ -f "$PIDS" ]; do
  alive=""
  for pid in $(cat "$PIDS" 2>/dev/null); do kill -0 "$pid" 2>/dev/null && alive=yes; done
  [ -n "$alive" ] || break
  sleep 1
done
stop_all
say "Topaz stopped"
