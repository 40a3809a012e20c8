package io.topaz.model.metadata;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Session keys are bearer credentials: only their SHA-256 is stored, cached, put into Bloom filters and sent between
 * the control plane and agents. A session key is 256 random bits, so a fast hash is enough.
 */
public final class SessionKeys {

    private SessionKeys() {
    }

    public static String hash(String sessionKey) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sessionKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
