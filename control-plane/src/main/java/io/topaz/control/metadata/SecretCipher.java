package io.topaz.control.metadata;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Encrypts app secrets at rest with AES-256-GCM. The stored form is {@code v1:} + base64(12-byte nonce, ciphertext and
 * tag); the app key is the associated data, so a ciphertext copied onto another app's row does not decrypt.
 */
final class SecretCipher {

    private static final Logger log = LoggerFactory.getLogger(SecretCipher.class);
    private static final String PREFIX = "v1:";
    private static final int NONCE_BYTES = 12;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    SecretCipher(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("topaz.metadata.encryption-key must be 32 bytes (base64 of 256 bits), was "
                    + key.length + " bytes");
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /** The key from configuration, or from the key file, generating the file on first start. */
    static SecretCipher fromSettings(MetadataProperties props) {
        if (props.encryptionKey() != null && !props.encryptionKey().isBlank()) {
            return new SecretCipher(decode(props.encryptionKey().trim(), "topaz.metadata.encryption-key"));
        }
        Path file = props.keyFile();
        if (file == null) {
            throw new IllegalStateException("set topaz.metadata.encryption-key or topaz.metadata.key-file");
        }
        try {
            if (Files.exists(file)) {
                return new SecretCipher(decode(Files.readString(file).trim(), file.toString()));
            }
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n", StandardOpenOption.CREATE_NEW);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            log.warn("generated the app-secret encryption key into {}; back it up apart from the database, or set "
                    + "topaz.metadata.encryption-key", file);
            return new SecretCipher(fresh);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the encryption key file " + file, e);
        }
    }

    private static byte[] decode(String base64, String source) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(source + " is not base64: " + e.getMessage());
        }
    }

    String encrypt(String appKey, String secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(appKey.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt an app secret: " + e.getMessage(), e);
        }
    }

    String decrypt(String appKey, String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            throw new IllegalStateException("app " + appKey + ": stored secret is not in the v1 format");
        }
        byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE_BYTES));
            c.updateAAD(appKey.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("app " + appKey + ": its secret does not decrypt with the configured key "
                    + "(was topaz.metadata.encryption-key changed?)");
        }
    }
}
