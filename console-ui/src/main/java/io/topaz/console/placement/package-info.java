/**
 * The Placement screen: which live agent of its cluster syncs each seller group (clusters → zones → agents → groups,
 * with each group's load, lag, connections, backlog, hot sellers, reason and since), moving a group to another agent,
 * and the placement changes that are config — a group to another cluster, a hot seller pinned into a group of its own,
 * a range split — planned from the draft, confirmed with a release message, and published as one release.
 */
package io.topaz.console.placement;
