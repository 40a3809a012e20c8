#!/usr/bin/env bash
# Gateway load (issue 4's benchmark): starts the quickstart (control plane, two agents, demo upstream) and Spring Cloud
# Gateway (bench-scg, port 18090, same route to the same upstream, same JVM flags as the agents; pinned, agent-1 is
# also told it has one core), then runs
# io.topaz.bench.load.GatewayBench against agent-1's gateway, Spring Cloud Gateway and the demo upstream directly,
# and stops everything.
# Usage: scripts/bench-gateway.sh [connections=32] [seconds=20] [warmup=10]
# Environment: BENCH_JVM_OPTS (both gateways' JVM flags); TOPAZ_BENCH_RATE=N (no maximum runs and no Spring Cloud
# Gateway: a closed-loop warm-up of Topaz, then the upstream and Topaz paced at N req/s, for a quick look);
# BENCH_JFR=file.jfr (a JFR recording of agent-1 with the profile settings, or BENCH_JFR_SETTINGS=file.jfc, started
# before the load and dumped after it: for profiling runs, never for the figures); BENCH_PIN=1 (the gateway under
# test — agent-1 with one event loop, then Spring Cloud Gateway — on CPU 1 alone: every other process of the machine
# and the kernel's unbound workers move to CPU 0 for the run and get their affinity back after; needs taskset, root
# and 2+ CPUs);
# TOPAZ_BENCH_ROUNDS=N (paced rounds, default 4); TOPAZ_BENCH_ROUND_WARMUP=S (seconds each later round runs before
# its calls count, default 5); TOPAZ_BENCH_AA=1 (the second paced target is the upstream again: an
# A/A run that shows the machine's own noise; with TOPAZ_BENCH_AA_URL=http://host:port, another demo upstream); BENCH_RT=1 (with BENCH_PIN=1, as root: the load generator and the demo
# upstream at real-time priority on CPU 0, standing in for machines of their own, and ksoftirqd/0 above them); TOPAZ_TRANSPORT=epoll|nio (the
# agents' network transport; default io_uring where the kernel allows it); TOPAZ_BENCH_SLOWLOG=file (each answer
# slower than 2 ms with its request_id, to match with .topaz/logs/agent-1.log); BENCH_DAMON_OFF=1 (as root: stop the kernel's DAMON monitor for the run
# and start it again after — see docs/benchmarks.md: on the PVM guests here its sampling stalls busy processes for
# tens of milliseconds every half second);
# TOPAZ_BENCH_FORMATS=json,xml (issue 21: Topaz answering format=json beside format=xml, no Spring Cloud Gateway;
# taobao.item.get with a typical fields list, about half a kilobyte: each format's maximum throughput in closed-loop
# rounds that alternate the formats, then the upstream and each format paced at TOPAZ_BENCH_RATE, or half the lower
# maximum, for the latency added per format, and the ratios; default: off, the run above).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${BENCH_PIN:-}" ] && [ "$(id -u)" != 0 ]; then
  echo "BENCH_PIN=1 needs root: it moves every other process of the machine off the gateway's core" >&2; exit 1
fi
if [ -n "${BENCH_RT:-}" ] && [ -z "${BENCH_PIN:-}" ]; then
  echo "BENCH_RT=1 needs BENCH_PIN=1: real-time tasks on the gateway's core would measure them, not it" >&2; exit 1
fi
mvn -B -q -DskipTests package
# Both gateways get the same JVM flags: a fixed heap touched at start-up (no growth pauses, no page faults on first
# use), the parallel collector, and a large young generation. Almost nothing a call allocates outlives it, so a
# larger young generation collects less often without collecting for longer: at 6,000 req/s, once warm, 1.1-2.3 ms
# every 10-25 s, against 3-6 ms on average (up to 9.7 ms) every 2 s with -Xmx512m.
BENCH_JVM_OPTS=${BENCH_JVM_OPTS:-"-Xms1g -Xmx1g -Xmn768m -XX:+AlwaysPreTouch -XX:+UseParallelGC"}
damon=/sys/kernel/mm/damon/admin/kdamonds/0/state
damon_was=$(cat "$damon" 2>/dev/null || echo absent)
restore_damon() { [ "$damon_was" != on ] || [ -z "${BENCH_DAMON_OFF:-}" ] || echo on >"$damon" 2>/dev/null || true; }
if [ "$damon_was" = on ]; then
  if [ -n "${BENCH_DAMON_OFF:-}" ]; then
    echo off >"$damon" || { echo "cannot stop DAMON (needs root)" >&2; exit 1; }
    trap restore_damon EXIT
    echo "DAMON stopped for this run (it was on); it is started again at the end"
  else
    echo "note: the kernel's DAMON monitor is on; on these VMs it stalls busy processes every 0.5 s and inflates every" \
      "p99 (BENCH_DAMON_OFF=1 stops it for the run)"
  fi
fi
log=$(mktemp)
# Pinned, agent-1 runs on one core, so it gets one event loop: what --event-loops' default (one per core) gives an
# agent started on a one-core host. Agent-2 (not measured, on CPU 0) gets one too.
[ -z "${BENCH_PIN:-}" ] || export TOPAZ_EVENT_LOOPS=1
# The JVM sizes its garbage-collector and compiler threads for the cores it sees at start-up; pinned, agent-1 is
# moved to one core after it starts, so it is told so, as Spring Cloud Gateway (started under taskset) sees one core.
# Agent-2, not measured, gets the same flags.
AGENT_OPTS="$BENCH_JVM_OPTS${BENCH_PIN:+ -XX:ActiveProcessorCount=1}" setsid bash scripts/quickstart.sh >"$log" 2>&1 &
affinity_saved=$(mktemp) # "tid start-time mask" of every thread moved off the gateway's core
wq=/sys/devices/virtual/workqueue/cpumask
wq_was=""                # the unbound workqueues' mask, once changed
ksoftirqd0=$(pgrep -x ksoftirqd/0 || true)
ksoftirqd0_was=""        # its policy and priority, once changed
started() { sed 's/.*) //' "$1/stat" 2>/dev/null | awk '{print $20}'; } # a task's start time (after its name)
restore_machine() {
  restore_damon
  # Every thread moved off the gateway's core gets its own mask back (unless it ended and its id was reused: the
  # start time tells); the kernel's unbound workers and ksoftirqd/0 get theirs. Processes started during the run
  # keep the mask they inherited.
  while read -r tid start mask; do
    [ "$(started "/proc/$tid")" = "$start" ] && taskset -p "$mask" "$tid" >/dev/null 2>&1 || true
  done <"$affinity_saved"
  [ -z "$wq_was" ] || { echo "$wq_was" >"$wq"; } 2>/dev/null || true
  [ -z "$ksoftirqd0_was" ] || chrt $ksoftirqd0_was "$ksoftirqd0" >/dev/null 2>&1 || true
}
trap 'restore_machine; bash scripts/quickstart.sh stop >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 120); do grep -q "Topaz is up" "$log" && break; sleep 1; done
grep -q "Topaz is up" "$log" || { cat "$log"; echo "the quickstart did not come up" >&2; exit 1; }
set -a; . .topaz/quickstart.env; set +a
agent1_pid=$(sed -n 3p .topaz/pids) # control plane, demo upstream, agent-1, agent-2
LOADGEN=()
if [ -n "${BENCH_PIN:-}" ]; then
  # The gateway under test gets a core of its own (CPU 1): the control plane, the demo upstream, agent-2 and the load
  # generator share CPU 0, so the added latency measures the gateway rather than its wait for a core.
  taskset -a -c -p 1 "$agent1_pid" >/dev/null
  # The core is the gateway's alone: every other process on the machine (this machine's database, broker and
  # sandbox services too, which otherwise run there for milliseconds at a time) and the kernel's unbound workers
  # move to CPU 0 for the run, and get their affinity back at the end. Per-CPU kernel threads stay where they are.
  for task in /proc/[0-9]*/task/[0-9]*; do
    pid=${task#/proc/}; pid=${pid%%/*}; tid=${task##*/}
    [ "$pid" != "$agent1_pid" ] || continue
    start=$(started "$task") && [ -n "$start" ] || continue
    mask=$(taskset -p "$tid" 2>/dev/null | awk '{print $NF}') || continue
    [ -n "$mask" ] && [ "$mask" != 1 ] && taskset -c -p 0 "$tid" >/dev/null 2>&1 \
      && echo "$tid $start $mask" >>"$affinity_saved" || true
  done
  if was=$(cat "$wq" 2>/dev/null) && { echo 1 >"$wq"; } 2>/dev/null; then wq_was=$was; fi
  LOADGEN=(taskset -c 0)
  if [ -n "${BENCH_RT:-}" ]; then
    # The load generator and the demo upstream run first on CPU 0 (real-time FIFO, priority 10), as if each had a
    # machine of its own: without it, a request the gateway sends to the upstream waits behind the load generator's
    # time slice on the shared core, which the direct calls (sent by that same process) do not.
    chrt -a -f -p 10 "$(sed -n 2p .topaz/pids)" >/dev/null || { echo "BENCH_RT: chrt could not raise the demo upstream" >&2; exit 1; }
    # The kernel finishes loopback deliveries it could not finish at once in ksoftirqd, an ordinary thread: behind
    # real-time tasks it would wait for them, and a request sent from CPU 0 would reach the gateway late.
    if [ -n "$ksoftirqd0" ]; then
      ksoftirqd0_was=$(chrt -p "$ksoftirqd0" | awk '/policy/ {p=$NF} /priority/ {q=$NF} END {
        print (p=="SCHED_FIFO" ? "-f" : p=="SCHED_RR" ? "-r" : p=="SCHED_BATCH" ? "-b" : p=="SCHED_IDLE" ? "-i" : "-o"), "-p", q}')
      chrt -f -p 20 "$ksoftirqd0" >/dev/null
    fi
    LOADGEN=(chrt -f 10 taskset -c 0)
  fi
fi
if [ -n "${BENCH_JFR:-}" ]; then
  jcmd "$agent1_pid" JFR.start name=bench settings="${BENCH_JFR_SETTINGS:-profile}" >/dev/null
  sleep 5 # let the recorder's own start-up cost pass before the load
fi
if [ -n "${TOPAZ_BENCH_RATE:-}" ] || [ -n "${TOPAZ_BENCH_FORMATS:-}" ]; then
  "${LOADGEN[@]}" java -Xms256m -Xmx512m -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.topaz.bench.load.GatewayBench "$@"
  [ -z "${BENCH_JFR:-}" ] || jcmd "$agent1_pid" JFR.dump name=bench filename="$BENCH_JFR" >/dev/null
  exit 0
fi
${BENCH_PIN:+taskset -c 1} java $BENCH_JVM_OPTS -cp "bench-scg/target/bench-scg-0.1.0-SNAPSHOT.jar:bench-scg/target/lib/*" \
  io.topaz.bench.scg.ScgBaseline --server.port=18090 >"$log.scg" 2>&1 &
scg_pid=$!
trap 'kill $scg_pid 2>/dev/null || true; restore_machine; bash scripts/quickstart.sh stop >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 60); do curl -fsS -o /dev/null http://127.0.0.1:18090/router/rest 2>/dev/null && break; sleep 1; done
export TOPAZ_SCG_URL=http://127.0.0.1:18090/router/rest
"${LOADGEN[@]}" java -Xms256m -Xmx512m -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.topaz.bench.load.GatewayBench "$@"
[ -z "${BENCH_JFR:-}" ] || jcmd "$agent1_pid" JFR.dump name=bench filename="$BENCH_JFR" >/dev/null
