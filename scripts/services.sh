#!/usr/bin/env bash
# Starts the local services the test suite uses (PostgreSQL, MariaDB, Redis) when one is down, then waits until each
# answers; installs promtool (the alert-rule checks' tool) when it is missing. Safe to run again: a service that
# answers is left alone.
set -uo pipefail

wait_for() { # name, check command
  local name=$1 check=$2
  for _ in $(seq 1 60); do
    if bash -c "$check" >/dev/null 2>&1; then echo "services: $name is up"; return 0; fi
    sleep 0.5
  done
  echo "services: $name did not come up (check: $check)" >&2
  return 1
}

ensure() { # name, check command, start command
  local name=$1 check=$2 start=$3
  if bash -c "$check" >/dev/null 2>&1; then echo "services: $name is up"; return 0; fi
  echo "services: starting $name"
  bash -c "$start" >/dev/null 2>&1 || true
  wait_for "$name" "$check"
}

# promtool checks docs/monitoring (PromtoolCheckTest); Debian's prometheus package provides it.
if ! command -v promtool >/dev/null 2>&1; then
  echo "services: installing promtool (Debian package prometheus)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus) >/dev/null 2>&1 \
    || echo "services: could not install promtool; PromtoolCheckTest fails under CI=true" >&2
fi

rc=0
ensure PostgreSQL "pg_isready -h 127.0.0.1 -p 5432" \
  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' || rc=1
ensure MariaDB "mariadb -uroot -h127.0.0.1 -e 'select 1'" \
  'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd' || rc=1
ensure Redis "redis-cli -h 127.0.0.1 ping | grep -q PONG" \
  'mkdir -p /var/lib/redis /var/log/redis; redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log' || rc=1
exit $rc
