package io.topaz.model.json;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The two JSON mappers every module shares. {@link #strict()} reads operator input and refuses unknown fields, so a
 * typo is an error instead of a silently ignored setting. {@link #lenient()} reads what other Topaz processes wrote and
 * ignores unknown fields, so an older agent can read a release written by a newer control plane.
 */
public final class Json {

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private static final JsonMapper LENIENT = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Json() {
    }

    public static JsonMapper strict() {
        return STRICT;
    }

    public static JsonMapper lenient() {
        return LENIENT;
    }

    public static byte[] write(Object value) {
        return LENIENT.writeValueAsBytes(value);
    }

    public static <T> T read(byte[] json, Class<T> type) {
        return LENIENT.readValue(json, type);
    }
}
