#!/usr/bin/env bash
# Topaz console: build the console (and what it depends on) without tests, then start it. Its sign-in form is prefilled
# with the quickstart's URL and token when .topaz/quickstart.env exists (run scripts/quickstart.sh first).
#
#   scripts/console.sh                      against the quickstart cluster
#   scripts/console.sh --quickstart-env=F   prefill from another env file (TOPAZ_CONTROL_URL, TOPAZ_TOKEN)
#
# Needs JDK 17, Maven and a display (on a headless machine: xvfb-run scripts/console.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION="0.1.0-SNAPSHOT"
JAR="$ROOT/console-ui/target/console-ui-$VERSION.jar"

die() { printf 'console: %s\n' "$*" >&2; exit 1; }
command -v java >/dev/null || die "java not found: install JDK 17"
command -v mvn >/dev/null || die "mvn not found: install Maven"

if [ "${TOPAZ_CONSOLE_SKIP_BUILD:-}" != "1" ]; then
  printf 'console: building (mvn -pl console-ui -am -DskipTests package)…\n'
  (cd "$ROOT" && mvn -B -q -pl console-ui -am -DskipTests package) \
    || die "the build failed; run 'mvn -B -pl console-ui -am -DskipTests package' to see why"
fi
[ -f "$JAR" ] || die "missing $JAR after the build"
[ -d "$ROOT/console-ui/target/lib" ] || die "missing console-ui/target/lib (the runtime class path) after the build"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  die "no display: run it on a desktop, or on a headless machine with 'xvfb-run scripts/console.sh'"
fi

# Run from the repository root so that .topaz/quickstart.env is found.
cd "$ROOT"
exec java ${CONSOLE_JAVA_OPTS:-"-Xmx512m"} -cp "$JAR:$ROOT/console-ui/target/lib/*" io.topaz.console.ConsoleMain "$@"
