package io.topaz.model.top;

import java.util.Optional;

/** TOP's signature methods, by their {@code sign_method} value. */
public enum SignMethod {
    /** MD5 of {@code secret + string + secret}. */
    MD5("md5", 32),
    /** HMAC-MD5 of the string, keyed by the secret. */
    HMAC("hmac", 32),
    /** HMAC-SHA256 of the string, keyed by the secret. */
    HMAC_SHA256("hmac-sha256", 64);

    private final String wireName;
    private final int hexLength;

    SignMethod(String wireName, int hexLength) {
        this.wireName = wireName;
        this.hexLength = hexLength;
    }

    public String wireName() {
        return wireName;
    }

    /** The length of a signature of this method in hexadecimal characters. */
    public int hexLength() {
        return hexLength;
    }

    public static Optional<SignMethod> fromWire(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (SignMethod m : values()) {
            if (m.wireName.equals(value)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
