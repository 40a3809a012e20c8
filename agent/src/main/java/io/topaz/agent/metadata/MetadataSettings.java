package io.topaz.agent.metadata;

import io.topaz.agent.control.ControlPlaneUrls;

/**
 * Where an agent reads metadata (apps, sessions) from.
 *
 * @param controlUrl  the control plane (tier L3), or several instances comma-separated, between which calls fail over
 *                    ({@link ControlPlaneUrls}); null when this agent reads no metadata
 * @param agentToken  a control-plane token with the AGENT role
 * @param redisUri    the shared cache (tier L2), e.g. {@code redis://127.0.0.1:6379/0}; null to go L1 → L3
 * @param redisPrefix the prefix of this fleet's keys in Redis, so fleets (and test runs) never collide
 */
public record MetadataSettings(String controlUrl, String agentToken, String redisUri, String redisPrefix) {

    public static final String DEFAULT_REDIS_PREFIX = "topaz:md:";

    public MetadataSettings {
        controlUrl = blankToNull(controlUrl);
        agentToken = blankToNull(agentToken);
        redisUri = blankToNull(redisUri);
        redisPrefix = redisPrefix == null || redisPrefix.isBlank() ? DEFAULT_REDIS_PREFIX : redisPrefix;
        if (controlUrl != null) {
            ControlPlaneUrls.validate(controlUrl);
            if (agentToken == null) {
                throw new IllegalArgumentException("--agent-token (or TOPAZ_AGENT_TOKEN) is required with --control-url: "
                        + "a control-plane token with the AGENT role");
            }
        }
        if (redisUri != null && !redisUri.startsWith("redis://") && !redisUri.startsWith("rediss://")) {
            throw new IllegalArgumentException("--redis-uri '" + redisUri + "' must start with redis:// or rediss://");
        }
    }

    public static MetadataSettings none() {
        return new MetadataSettings(null, null, null, null);
    }

    public boolean enabled() {
        return controlUrl != null;
    }

    @Override
    public String toString() {
        return "MetadataSettings[controlUrl=" + controlUrl + ", agentToken=" + (agentToken == null ? null : "****")
                + ", redisUri=" + redisUri + ", redisPrefix=" + redisPrefix + "]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
