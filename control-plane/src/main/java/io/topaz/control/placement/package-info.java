/**
 * Seller-group placement (the SREs' runtime isolation): which live syncing agent of a group's cluster syncs it. The
 * leading control plane decides ({@link io.topaz.control.placement.Placer}, a pure function;
 * {@link io.topaz.control.placement.PlacementDriver} feeds and applies it) and writes each
 * {@code GroupPlacement} under {@code ZkLayout.syncPlacements()}; operators read and move placements over
 * {@code /api/v1/placement}. Which cluster serves a group stays config (assignments).
 */
package io.topaz.control.placement;
