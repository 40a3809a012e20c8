/**
 * Runtime placement of seller groups on agents (the SREs' dynamic resource isolation): which live agent of a group's
 * cluster syncs it ({@link GroupPlacement}, written by the control plane's leader under
 * {@code ZkLayout.syncPlacements()}), and what each syncing agent reports of its load ({@link SyncAgentLoad}, the data
 * of its ephemeral node under {@code ZkLayout.syncAgents(cluster)}). Which cluster serves a group stays config
 * ({@code Assignment}, a reviewed publish); only the agent inside the cluster is runtime state.
 */
package io.topaz.model.placement;
