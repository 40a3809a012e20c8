package io.topaz.agent.gateway;

/** Carries a {@link TopError} through a future's failure path. Not for control flow inside a stage. */
final class GatewayException extends RuntimeException {

    private final TopError error;

    GatewayException(TopError error) {
        super(error.subMsg(), null, false, false);
        this.error = error;
    }

    TopError error() {
        return error;
    }
}
