package io.topaz.model.top;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * TOP request signatures (docs/top-protocol.md, "Signing"): every parameter except {@code sign} and file parameters,
 * sorted by name in ASCII order, {@code name + value} concatenated for each non-empty pair, the signed body appended
 * (batch calls), then MD5, HMAC-MD5 or HMAC-SHA256 with the app secret, as uppercase hex.
 *
 * <p>Used by the gateway to verify and by the SDK to sign, so both sides agree byte for byte. Stateless and
 * thread-safe.
 */
public final class TopSigner {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    // JCA lookups cost more than the digest of a short string: one instance of each per thread, reset before use.
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> instance("MD5"));
    private static final ThreadLocal<Mac> HMAC_MD5 = ThreadLocal.withInitial(() -> mac("HmacMD5"));
    private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(() -> mac("HmacSHA256"));

    private TopSigner() {
    }

    /** The signature of these parameters ({@code sign} itself is skipped) and optional body, as uppercase hex. */
    public static String sign(Map<String, String> params, String body, String secret, SignMethod method) {
        byte[] digest = digest(canonical(params, body), secret, method);
        return HEX.formatHex(digest);
    }

    /**
     * Whether {@code sign} is the signature of these parameters under {@code secret}. Case-insensitive in the hex
     * digits, constant time in the signature's content.
     */
    public static boolean verify(Map<String, String> params, String body, String secret, SignMethod method, String sign) {
        if (sign == null || sign.length() != method.hexLength()) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(sign.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(given, digest(canonical(params, body), secret, method));
    }

    /** The signed string: sorted {@code name + value} pairs, non-empty ones only, then the body. */
    public static String canonical(Map<String, String> params, String body) {
        StringBuilder sb = new StringBuilder(256);
        if (params instanceof TreeMap<String, String> t && t.comparator() == null) {
            for (Map.Entry<String, String> e : t.entrySet()) {
                append(sb, e.getKey(), e.getValue());
            }
        } else {
            // The names sorted in an array, not copied into a TreeMap: the gateway signs every call, and the TreeMap's
            // entries were ~6 % of its allocation. Same (natural) order.
            String[] names = params.keySet().toArray(new String[0]);
            Arrays.sort(names);
            for (String name : names) {
                append(sb, name, params.get(name));
            }
        }
        if (body != null) {
            sb.append(body);
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String name, String value) {
        if (!"sign".equals(name) && name != null && !name.isEmpty() && value != null && !value.isEmpty()) {
            sb.append(name).append(value);
        }
    }

    private static byte[] digest(String canonical, String secret, SignMethod method) {
        byte[] text = canonical.getBytes(StandardCharsets.UTF_8);
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        try {
            return switch (method) {
                case MD5 -> {
                    MessageDigest md5 = MD5.get();
                    md5.reset();
                    md5.update(key);
                    md5.update(text);
                    md5.update(key);
                    yield md5.digest();
                }
                case HMAC -> hmac(HMAC_MD5.get(), "HmacMD5", key, text);
                case HMAC_SHA256 -> hmac(HMAC_SHA256.get(), "HmacSHA256", key, text);
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + method + ": " + e.getMessage(), e);
        }
    }

    private static byte[] hmac(Mac mac, String algorithm, byte[] key, byte[] text) throws GeneralSecurityException {
        mac.init(new SecretKeySpec(key, algorithm));
        return mac.doFinal(text);
    }

    private static MessageDigest instance(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }

    private static Mac mac(String algorithm) {
        try {
            return Mac.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }
}
