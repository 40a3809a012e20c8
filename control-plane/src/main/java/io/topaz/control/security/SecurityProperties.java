package io.topaz.control.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Operator token settings. {@code bootstrapAdminToken}, when set, is ensured to exist as an admin token named
 * {@code bootstrap-admin} (the quickstart uses this). When it is not set and no token exists yet, one is generated and
 * written to {@code bootstrapTokenFile}, readable only by the owner.
 */
@ConfigurationProperties("topaz.security")
public record SecurityProperties(
        @DefaultValue("") String bootstrapAdminToken,
        @DefaultValue("data/admin-token") Path bootstrapTokenFile,
        @DefaultValue("10s") Duration tokenCacheTtl) {
}
