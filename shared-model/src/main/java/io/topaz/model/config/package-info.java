/**
 * The config kinds: immutable records for API definitions, apps, flow, quota and cache rules, seller groups, agent
 * clusters, assignments, the message service's topics and subscriptions, and order-sync targets; {@link io.topaz.model.config.ConfigKind} names each kind, and
 * {@link io.topaz.model.config.ConfigSnapshot} holds the whole content of one release.
 */
package io.topaz.model.config;
