package io.topaz.agent.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/**
 * {@code Content-Encoding: gzip} for a caller that accepts it (TOP's SDKs ask with their gzip option), on answers of
 * at least {@link #THRESHOLD} bytes: below that the gzip header and the work cost more than they save. Done here,
 * on the whole answer once it is known, rather than by a pipeline compressor that would sit in every request's path.
 */
final class GzipAnswers {

    /** Answers shorter than this go uncompressed (about one TCP segment's payload). */
    static final int THRESHOLD = 1024;

    private GzipAnswers() {
    }

    /**
     * Whether an {@code Accept-Encoding} value accepts gzip (RFC 9110 §12.5.3): {@code gzip}, {@code x-gzip} or
     * {@code *}, with a weight above 0, and gzip not refused by name.
     */
    static boolean accepted(String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.isEmpty()) {
            return false;
        }
        boolean byName = false;
        boolean byStar = false;
        for (String item : acceptEncoding.split(",")) {
            int semi = item.indexOf(';');
            String coding = (semi < 0 ? item : item.substring(0, semi)).trim();
            boolean wanted = semi < 0 || weight(item.substring(semi + 1)) > 0;
            if (coding.equalsIgnoreCase("gzip") || coding.equalsIgnoreCase("x-gzip")) {
                if (!wanted) {
                    return false;
                }
                byName = true;
            } else if (coding.equals("*")) {
                byStar = wanted;
            }
        }
        return byName || byStar;
    }

    private static double weight(String params) {
        for (String p : params.split(";")) {
            String t = p.trim();
            if (t.length() > 2 && (t.charAt(0) == 'q' || t.charAt(0) == 'Q') && t.charAt(1) == '=') {
                try {
                    return Double.parseDouble(t.substring(2).trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }

    static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from an in-memory stream
        }
        return out.toByteArray();
    }
}
