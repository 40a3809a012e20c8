package io.topaz.control.metadata;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code topaz.metadata.*}: apps, sellers and sessions.
 *
 * @param encryptionKey       base64 of the 256-bit AES key that encrypts app secrets at rest; when blank, the key is
 *                            read from (or first generated into) {@code keyFile}
 * @param keyFile             the file holding the key (base64); generated on first start only with the embedded H2
 *                            database — with any other database it must exist (or {@code encryptionKey} be set), the
 *                            same key on every instance
 * @param previousKeys        keys that no longer encrypt but still decrypt (base64), kept until the re-encryption
 *                            ({@code POST /api/v1/apps/secrets/reencrypt}) has moved every secret to the current key
 * @param previousKeyFiles    the same, as files
 * @param secretGrace         how long an app's previous secret keeps working after a rotation, unless the rotation
 *                            names another time
 * @param eventRetention      how long metadata events stay in ZooKeeper; an agent disconnected for longer drops its
 *                            whole cache when it comes back
 * @param eventsKept          events kept in any case, however old
 * @param maxSessionLifetime  the longest a session may be issued for
 */
@ConfigurationProperties("topaz.metadata")
public record MetadataProperties(
        String encryptionKey,
        Path keyFile,
        List<String> previousKeys,
        List<Path> previousKeyFiles,
        @DefaultValue("24h") Duration secretGrace,
        @DefaultValue("15m") Duration eventRetention,
        @DefaultValue("1000") int eventsKept,
        @DefaultValue("365d") Duration maxSessionLifetime) {
}
