package io.topaz.agent.metadata;

import io.topaz.model.metadata.SessionMetadata;

/** The outcome of checking a call's {@code session}, with the TOP error code a gateway answers for it. */
public record SessionCheck(Outcome outcome, SessionMetadata session) {

    public enum Outcome {
        OK(0),
        /** Unknown, expired, revoked, or issued to another app (TOP 27). */
        INVALID(27);

        private final int topCode;

        Outcome(int topCode) {
            this.topCode = topCode;
        }

        public int topCode() {
            return topCode;
        }
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }
}
