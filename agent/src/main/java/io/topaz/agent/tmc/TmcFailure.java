package io.topaz.agent.tmc;

import io.topaz.agent.gateway.TopError;

/**
 * A TOP error on its way out of a built-in method through a future's failure path: bad input, an unknown seller or
 * group, the broker or the control plane failing. No stack trace: it is an answer, not a bug.
 */
final class TmcFailure extends RuntimeException {

    private final transient TopError error;

    TmcFailure(TopError error) {
        this(error, null);
    }

    /** @param cause what the broker or the control plane said, kept for the broker port's mapping */
    TmcFailure(TopError error, Throwable cause) {
        super(error.subMsg(), cause, false, false);
        this.error = error;
    }

    TopError error() {
        return error;
    }

    /** Code 41 {@code isv.invalid-parameter:<name>}: a parameter's value is malformed or out of range. */
    static TmcFailure invalid(String parameter, String why) {
        return new TmcFailure(TopError.of(41, "isv.invalid-parameter:" + parameter, why));
    }
}
