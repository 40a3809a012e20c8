package io.topaz.agent.tmc;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.gateway.TopError;
import io.topaz.agent.metadata.TieredCache;

import java.util.concurrent.CompletionException;

/**
 * The broker's and the metadata cache's failures as TOP errors (docs/top-protocol.md): an overloaded broker is code 7
 * with {@code Retry-After} (as the gateway's own load shedding), an unreachable one code 10 with an {@code isp.}
 * sub-code — both retryable, nothing was acknowledged.
 */
final class BrokerErrors {

    /** Seconds a caller should wait after an overloaded broker refused a call. */
    static final long RETRY_AFTER_SECONDS = 1;

    private BrokerErrors() {
    }

    /** The TOP error for {@code failure}; a {@link TmcFailure} keeps its own. */
    static TmcFailure of(Throwable failure) {
        Throwable c = unwrap(failure);
        if (c instanceof TmcFailure f) {
            return f;
        }
        if (c instanceof TieredCache.UnavailableException) {
            return new TmcFailure(TopError.of(10, "isp.metadata-unavailable", "sellers' permits and groups cannot "
                    + "be read now; retry later"), c);
        }
        if (c instanceof BrokerException b) {
            return new TmcFailure(switch (b.kind()) {
                case OVERLOADED -> TopError.limited("accesscontrol.message-service-overloaded", "the message "
                        + "service is overloaded: " + b.getMessage() + "; retry after " + RETRY_AFTER_SECONDS + " s",
                        RETRY_AFTER_SECONDS);
                case UNAVAILABLE -> TopError.of(10, "isp.message-service-unavailable", "the message service cannot "
                        + "store or read this now: " + b.getMessage() + "; retry later");
                case INVALID -> TopError.of(15, "isv.message-service-refused", b.getMessage());
                case INTERNAL -> TopError.of(10, "isp.message-service-error", "the message service failed: "
                        + b.getMessage() + "; retry later");
            }, b);
        }
        return null;
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** The answer of a method of an agent that runs no broker. */
    static TmcFailure noBroker() {
        return new TmcFailure(TopError.of(10, "isp.message-service-unavailable", "this agent runs no message "
                + "broker (start it with --broker-port); call an agent that does"));
    }
}
