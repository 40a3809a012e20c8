package io.topaz.agent.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a {@code multipart/form-data} body (RFC 7578) for an upstream: each parameter as a field, each file as a file
 * part with its filename and content type. Written here rather than with Netty's {@code HttpPostRequestEncoder}
 * because the body is small (the gateway's body limit), built once from byte arrays, and must not hold pooled buffers
 * across a retry on another instance.
 */
final class Multipart {

    record Encoded(byte[] body, String contentType) {
    }

    private Multipart() {
    }

    static Encoded encode(Map<String, String> params, Set<String> skip, List<FilePart> files) {
        // 128 random bits: a boundary that occurs in the content by chance is not a concern. Not SecureRandom: it may
        // read /dev/urandom, a blocking call on an event loop (BlockHound says so).
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String boundary = "topaz-" + HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong());
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + files.stream().mapToInt(f -> f.content().length).sum());
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (skip.contains(e.getKey())) {
                continue;
            }
            write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quote(e.getKey())
                    + "\"\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n");
            write(out, e.getValue());
            write(out, "\r\n");
        }
        for (FilePart f : files) {
            write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quote(f.name())
                    + "\"; filename=\"" + quote(f.filename()) + "\"\r\nContent-Type: "
                    + (f.contentType() == null || f.contentType().isBlank() ? "application/octet-stream"
                    : f.contentType().replaceAll("[\\r\\n]", "")) + "\r\n\r\n");
            out.writeBytes(f.content());
            write(out, "\r\n");
        }
        write(out, "--" + boundary + "--\r\n");
        return new Encoded(out.toByteArray(), "multipart/form-data; boundary=" + boundary);
    }

    /** RFC 7578 4.2: in a quoted name, '"', CR and LF are percent-encoded. */
    static String quote(String s) {
        return s == null ? "" : s.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
