package io.topaz.control.traffic;

/**
 * One agent's gateway counters and ZooKeeper link, as its {@code /metrics} showed them at one scrape.
 *
 * @param requests           {@code topaz_gateway_requests_total} summed over its labels (APIs); 0 while the agent runs
 *                           no gateway
 * @param errors             {@code topaz_gateway_errors_total} summed over its labels (APIs and TOP codes)
 * @param zookeeperConnected {@code topaz_zookeeper_connected} is 1: the agent can receive new releases
 */
record GatewayCounters(double requests, double errors, boolean zookeeperConnected) {

    /** What an agent that counts no gateway calls and is connected shows. */
    static final GatewayCounters IDLE = new GatewayCounters(0, 0, true);
}
