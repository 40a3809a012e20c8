/**
 * The config screens: one searchable table per kind of draft entry (APIs and upstreams, flow and quota rules,
 * cache rules, seller groups, agent clusters, assignments, message topics and subscriptions) and an editor whose fields show the control plane's own
 * validation error beside the field it names. {@link io.topaz.console.config.KindForm} describes each kind's fields;
 * the view-models and views are generic over it.
 */
package io.topaz.console.config;
