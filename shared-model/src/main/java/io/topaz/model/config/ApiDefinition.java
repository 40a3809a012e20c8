package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * An API the gateway serves: its TOP method name, the group that permissions and priorities are granted on, the
 * upstream instances that implement it, a per-call timeout, whether a seller's session is required, and the
 * application parameters a call must carry.
 */
public record ApiDefinition(
        String method,
        String apiGroup,
        List<UpstreamEndpoint> upstreams,
        Integer timeoutMillis,
        Boolean sessionRequired,
        List<String> requiredParameters) implements ConfigEntry {

    public static final int DEFAULT_TIMEOUT_MILLIS = 3_000;
    /**
     * The message service's methods ({@code taobao.tmc.*}) and their API group are built into the agents: a configured
     * API may not take those names (it would be shadowed by the built-in one).
     */
    public static final String RESERVED_METHOD_PREFIX = "taobao.tmc.";
    public static final String RESERVED_GROUP = "tmc";
    public static final int MAX_TIMEOUT_MILLIS = 120_000;

    public ApiDefinition {
        upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
        timeoutMillis = timeoutMillis == null ? DEFAULT_TIMEOUT_MILLIS : timeoutMillis;
        sessionRequired = sessionRequired != null && sessionRequired;
        requiredParameters = requiredParameters == null ? List.of() : List.copyOf(requiredParameters);
    }

    @Override
    public String key() {
        return method;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.methodName("method", method);
        if (method != null && method.startsWith(RESERVED_METHOD_PREFIX)) {
            c.fail("method", method, "is reserved: the taobao.tmc.* methods are served by the agents' message service");
        }
        c.identifier("apiGroup", apiGroup);
        if (RESERVED_GROUP.equals(apiGroup)) {
            c.fail("apiGroup", apiGroup, "is reserved for the message service's built-in taobao.tmc.* methods");
        }
        c.notEmpty("upstreams", upstreams);
        for (int i = 0; i < upstreams.size(); i++) {
            c.add(upstreams.get(i).validate("upstreams[" + i + "]"));
        }
        if (!upstreams.isEmpty() && upstreams.stream().allMatch(u -> u.weight() != null && u.weight() == 0)) {
            c.fail("upstreams", "all weights 0", "at least one upstream must have a weight above 0");
        }
        c.range("timeoutMillis", timeoutMillis, 1, MAX_TIMEOUT_MILLIS);
        for (int i = 0; i < requiredParameters.size(); i++) {
            c.parameterName("requiredParameters[" + i + "]", requiredParameters.get(i));
        }
        c.distinct("requiredParameters", requiredParameters);
        return c.errors();
    }
}
