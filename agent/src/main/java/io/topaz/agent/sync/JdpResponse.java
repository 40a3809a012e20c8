package io.topaz.agent.sync;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The target's {@code jdp_response} and {@code jdp_hashcode}, as JDP writes them: {@code jdp_response} is the order
 * document wrapped as TOP's {@code taobao.trade.fullinfo.get} answer,
 * {@code {"trade_fullinfo_get_response":{"trade":<document>}}}, and {@code jdp_hashcode} is the lowercase hex MD5 of
 * the UTF-8 bytes of {@code jdp_response} (32 characters). Both are computable in SQL on PostgreSQL
 * ({@code md5(...)}), MariaDB ({@code MD5(...)}) and H2, so key ranges can be hashed inside each database.
 */
public final class JdpResponse {

    public static final String PREFIX = "{\"trade_fullinfo_get_response\":{\"trade\":";
    public static final String SUFFIX = "}}";

    private JdpResponse() {
    }

    public static String of(String document) {
        return PREFIX + document + SUFFIX;
    }

    /** {@code jdp_hashcode} of the row whose source document is {@code document}. */
    public static String hashcode(String document) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest(of(document).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }
}
