/**
 * The control planes' leader takeover benchmark (issue 19): two control-plane processes on one ZooKeeper and one
 * PostgreSQL database, the leader stopped or killed, the time until the other leads and answers. Run by
 * {@code scripts/bench-takeover.sh}; results in docs/benchmarks.md.
 */
package io.topaz.bench.ha;
