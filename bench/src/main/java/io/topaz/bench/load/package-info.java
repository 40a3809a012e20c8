/**
 * The gateway load harness run by scripts/bench-gateway.sh: an HTTP load generator that counts latency from each
 * call's intended time, the gateway beside the demo upstream and Spring Cloud Gateway ({@link
 * io.topaz.bench.load.GatewayBench}), and Topaz answering in JSON beside XML ({@link io.topaz.bench.load.FormatBench}).
 */
package io.topaz.bench.load;
