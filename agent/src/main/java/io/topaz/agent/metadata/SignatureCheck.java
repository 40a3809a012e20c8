package io.topaz.agent.metadata;

import io.topaz.model.metadata.AppMetadata;

/**
 * The outcome of checking a call's app key and signature, with the TOP error code a gateway answers for it.
 *
 * @param app the app, when it exists
 */
public record SignatureCheck(Outcome outcome, AppMetadata app) {

    public enum Outcome {
        OK(0),
        /** No such app key (TOP 29). */
        UNKNOWN_APP(29),
        /** The app is disabled (TOP 29, with an {@code isv.app-disabled} sub-code). */
        APP_DISABLED(29),
        /** The signature matches none of the app's current secrets (TOP 25). */
        INVALID_SIGNATURE(25);

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
