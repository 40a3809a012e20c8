package io.topaz.agent.gateway;

import io.topaz.model.config.ApiDefinition;
import tools.jackson.databind.node.ObjectNode;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * APIs the agent serves itself instead of an upstream (the message service's {@code taobao.tmc.*} methods, API group
 * {@code tmc}). A built-in call passes the same checks as any other — protocol, security (session included), business
 * (the app's permission for the API's group, required parameters), flow control and quotas — and is then answered by
 * {@link #serve} instead of routing and invocation. Its answer is wrapped and rendered (JSON or XML, {@code simplify})
 * like an upstream's. A built-in name wins over a configured API of the same name, which the control plane refuses to
 * publish (docs/config-reference.md, {@code apis}).
 */
public interface BuiltInApis {

    /** The built-in API of this method name, or null when the method is not built in. */
    ApiDefinition api(String method);

    /**
     * Serves a call whose checks passed. Never blocks the calling thread (an event loop); the future may complete on
     * any thread. A failed future (an unexpected failure) becomes code 10 {@code isp.internal-error}.
     */
    CompletableFuture<Answer> serve(Call call);

    /**
     * What a built-in answered: the fields of {@code <name>_response} (without {@code request_id}, which the gateway
     * adds), or a TOP error.
     */
    record Answer(ObjectNode result, TopError error) {

        public Answer {
            if ((result == null) == (error == null)) {
                throw new IllegalArgumentException("an answer is a result or an error");
            }
        }

        public static Answer of(ObjectNode result) {
            return new Answer(Objects.requireNonNull(result), null);
        }

        public static Answer of(TopError error) {
            return new Answer(null, Objects.requireNonNull(error));
        }
    }
}
