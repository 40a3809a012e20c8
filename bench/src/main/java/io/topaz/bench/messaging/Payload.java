package io.topaz.bench.messaging;

import java.nio.charset.StandardCharsets;

/**
 * The messages both systems carry: a JSON object of exactly {@link #SIZE} bytes, shaped like a TOP order event
 * ({@code tid}, {@code seller_nick}), with the harness's send time ({@code System.nanoTime()}, one JVM sends and
 * receives, so the clock is shared) and a sequence number, padded to size. The consumer reads both back from the
 * content it received, so the same code times Kafka and Topaz.
 */
final class Payload {

    /** 1 KiB, the message size. */
    static final int SIZE = 1024;

    private static final String SENT = "\"sent_nanos\":";
    private static final String SEQ = "\"tid\":";

    private Payload() {
    }

    static String content(long seq, long sentNanos, String sellerNick) {
        StringBuilder sb = new StringBuilder(SIZE).append('{').append(SEQ).append(seq).append(",\"seller_nick\":\"")
                .append(sellerNick).append("\",").append(SENT).append(sentNanos).append(",\"pad\":\"");
        int padding = SIZE - sb.length() - 2;
        if (padding < 0) {
            throw new IllegalArgumentException("seller nick too long for a " + SIZE + "-byte message");
        }
        sb.append("x".repeat(padding)).append("\"}");
        assert sb.toString().getBytes(StandardCharsets.UTF_8).length == SIZE;
        return sb.toString();
    }

    static long sentNanos(String content) {
        return number(content, SENT);
    }

    static long seq(String content) {
        return number(content, SEQ);
    }

    private static long number(String content, String field) {
        int at = content.indexOf(field);
        if (at < 0) {
            throw new IllegalArgumentException("not a bench message: " + content);
        }
        long v = 0;
        boolean negative = false;
        int i = at + field.length();
        if (content.charAt(i) == '-') {
            negative = true;
            i++;
        }
        for (; i < content.length(); i++) {
            char c = content.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
        }
        return negative ? -v : v;
    }
}
