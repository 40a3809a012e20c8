package io.topaz.agent.admin;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An extra endpoint of the admin port (e.g. the order sync's {@code /sync}). Called on the admin event loop: it must
 * not block — work goes to the feature's own executor and completes the future. The answer is JSON; a future failed
 * with {@link IllegalArgumentException} answers 400 with its message, any other failure 500. A request other than
 * GET/HEAD reaches the route only once its bearer token was admitted ({@link AdminServer#authenticate}); GET and HEAD
 * reach it from anyone, so a route must change nothing on them.
 */
@FunctionalInterface
public interface AdminRoute {

    /**
     * @param method the HTTP method (GET, POST, …)
     * @param params the query parameters (first value of each)
     * @param body   the request body (empty when none)
     */
    CompletableFuture<Object> handle(String method, Map<String, String> params, byte[] body);
}
