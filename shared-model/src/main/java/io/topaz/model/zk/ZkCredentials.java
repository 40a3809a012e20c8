package io.topaz.model.zk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A ZooKeeper digest identity, {@code user:password}: what a client sends with {@code addAuthInfo("digest", …)}.
 * The password never leaves this object in text form except through {@link #authBytes()}; {@link #toString()}
 * shows the user only, so settings records that hold one can be logged.
 */
public final class ZkCredentials {

    private final String user;
    private final String password;

    private ZkCredentials(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /**
     * Parses {@code user:password}.
     *
     * @param source what to name in the error (a flag or property), never the value itself
     * @throws IllegalArgumentException naming {@code source} and the rule, without echoing the secret
     */
    public static ZkCredentials parse(String value, String source) {
        String v = value == null ? "" : value.strip();
        int colon = v.indexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException(source + " must look like user:password (a non-empty user and password)");
        }
        String user = v.substring(0, colon);
        if (!user.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(source + ": the user (before ':') must be 1 to 64 letters, digits, '.', '-' or '_'");
        }
        return new ZkCredentials(user, v.substring(colon + 1));
    }

    /** Reads {@code user:password} from the first line of a file (trailing newline and spaces ignored). */
    public static ZkCredentials read(Path file, String source) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        int newline = text.indexOf('\n');
        return parse(newline >= 0 ? text.substring(0, newline) : text, source + " (" + file + ")");
    }

    public String user() {
        return user;
    }

    /** The bytes for Curator's {@code authorization("digest", …)}. */
    public byte[] authBytes() {
        return (user + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The id ZooKeeper's digest scheme gives this identity in ACLs: {@code user:base64(sha1(user:password))}, the
     * same as {@code DigestAuthenticationProvider.generateDigest}.
     */
    public String digestId() {
        return digestId(user, password);
    }

    static String digestId(String user, String password) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA1").digest((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            return user + ":" + Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1 is missing from this JVM", e);
        }
    }

    /** Two credentials are equal when user and password are; the comparison of the password is constant-time. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ZkCredentials c && user.equals(c.user)
                && MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8), c.password.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return user.hashCode();
    }

    @Override
    public String toString() {
        return "ZkCredentials[user=" + user + ", password=****]";
    }
}
