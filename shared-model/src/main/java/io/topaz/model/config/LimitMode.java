package io.topaz.model.config;

/**
 * Where a limit holds. {@code SINGLE_NODE}: each agent enforces its share locally. {@code CLUSTER}: the limit holds for
 * the sum over all agents of a cluster.
 */
public enum LimitMode {
    SINGLE_NODE,
    CLUSTER
}
