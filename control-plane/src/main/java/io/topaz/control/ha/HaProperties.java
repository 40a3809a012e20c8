package io.topaz.control.ha;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code topaz.ha.*}: how this control plane names itself among the others on the same ZooKeeper ensemble.
 *
 * @param instanceId    this instance's name in the leader election, in health and in its own AGENT token's name;
 *                      blank: {@code <hostname>-<http port>}. Keep it stable across restarts
 * @param advertisedUrl the base URL the other control planes reach this one at (they forward the traffic reads only the
 *                      leader can answer to it); blank: {@code http://<hostname>:<http port>}
 * @param allowH2WithExternalZookeeper let a control plane with an external ZooKeeper use an H2 database, which no second
 *                      instance can share; only for a single instance (and tests) — see {@link SharedStateCheck}
 */
@ConfigurationProperties("topaz.ha")
public record HaProperties(
        @DefaultValue("") String instanceId,
        @DefaultValue("") String advertisedUrl,
        @DefaultValue("false") boolean allowH2WithExternalZookeeper) {
}
