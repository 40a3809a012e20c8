/**
 * The demo upstream: a small API service behind the gateway for the quickstart and the benchmarks, following the
 * upstream contract (docs/upstream-contract.md).
 */
package io.topaz.demo;
