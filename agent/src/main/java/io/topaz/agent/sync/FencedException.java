package io.topaz.agent.sync;

/** A target write refused because another holder with a higher epoch has written the group since. */
public final class FencedException extends Exception {

    private final long currentEpoch;

    public FencedException(Fence fence, long currentEpoch) {
        super("sync group " + fence.group() + " of target " + fence.target() + " is held at epoch " + currentEpoch
                + " by another agent; this agent's lease (epoch " + fence.epoch() + ") is stale");
        this.currentEpoch = currentEpoch;
    }

    public long currentEpoch() {
        return currentEpoch;
    }
}
