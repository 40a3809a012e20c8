package io.topaz.agent.gateway.upstream;

/**
 * Why an upstream call failed, and whether the request may have reached the upstream. A request whose bytes were
 * (or may have been) sent is never retried: the upstream may have acted on it.
 */
public final class UpstreamFailure extends RuntimeException {

    public enum Kind {
        /** No connection could be made: the request was not sent; another instance may be tried. */
        CONNECT,
        /** Too many calls already wait for this instance's connections: not sent; says nothing of its health. */
        OVERLOADED,
        /** No complete answer within the API's timeout. */
        TIMEOUT,
        /** The connection broke after the request was (or may have been) sent. */
        BROKEN
    }

    private final Kind kind;

    public UpstreamFailure(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind == Kind.CONNECT || kind == Kind.OVERLOADED;
    }
}
