package io.topaz.agent.broker;

/**
 * What a confirm did.
 *
 * @param confirmed ids that were in flight in the queue and are now confirmed
 * @param failed    ids that were in flight and will be delivered again (the consumer reported a failure)
 * @param ignored   ids that were not in flight in this queue: unknown, another queue's, or already confirmed;
 *                  nothing changed for them
 */
public record ConfirmOutcome(int confirmed, int failed, int ignored) {

    public static final ConfirmOutcome NONE = new ConfirmOutcome(0, 0, 0);

    public ConfirmOutcome plus(ConfirmOutcome o) {
        return new ConfirmOutcome(confirmed + o.confirmed, failed + o.failed, ignored + o.ignored);
    }
}
