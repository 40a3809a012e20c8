package io.topaz.agent.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random, often hostile requests on a raw socket: random methods, paths, parameter names and values (bad escapes,
 * duplicates, control characters, huge counts), random headers and bodies. The gateway's own code never answers 5xx,
 * never crashes, never leaks a buffer (Netty's detector at PARANOID) and never blocks an event loop.
 */
class GatewayFuzzTest {

    private static final Set<Integer> ALLOWED = Set.of(200, 400, 404, 405, 408, 413, 414, 431, 505);

    @Provide
    Arbitrary<String> requests() {
        Arbitrary<String> method = Arbitraries.of("GET", "POST", "PUT", "DELETE", "G\u0000T", "", "POST ");
        Arbitrary<String> path = Arbitraries.of("/router/rest", "/router/rest?", "/", "/router/batch", "/../etc",
                "/router/rest/x", "*", "/router/rest#frag");
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of("method", "app_key", "sign", "sign_method",
                        "timestamp", "v", "format", "session", "simplify", "num_iid"),
                Arbitraries.strings().ofMinLength(0).ofMaxLength(12));
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("taobao.time.get", "harness-app", "hmac", "md5",
                        "2.0", "json", "xml", "%ZZ", "%", "%e4%b8", "2026-11-24 12:00:00", "true", ""),
                Arbitraries.strings().ofMaxLength(40));
        Arbitrary<String> param = Combinators.combine(name, value).as((n, v) -> n + "=" + v);
        Arbitrary<String> params = param.list().ofMaxSize(30).map(l -> String.join("&", l));
        Arbitrary<String> header = Arbitraries.of("Content-Type: application/x-www-form-urlencoded",
                "Content-Type: multipart/form-data; boundary=xyz", "Content-Type: text/plain",
                "Transfer-Encoding: chunked", "Content-Length: 5", "Connection: close", "X-Junk: \u00ff\u00fe", "Bad Header");
        return Combinators.combine(method, path, params, header.list().ofMaxSize(3), params)
                .as((m, p, q, hs, body) -> {
                    StringBuilder sb = new StringBuilder();
                    sb.append(m).append(' ').append(p).append(p.contains("?") ? "" : "?").append(q).append(" HTTP/1.1\r\n");
                    sb.append("Host: 127.0.0.1\r\n");
                    hs.forEach(h -> sb.append(h).append("\r\n"));
                    boolean hasLength = hs.stream().anyMatch(h -> h.startsWith("Content-Length") || h.startsWith("Transfer"));
                    if (!hasLength) {
                        sb.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
                    }
                    sb.append("Connection: close\r\n\r\n").append(body);
                    return sb.toString();
                });
    }

    @Property(tries = 300)
    void neverA5xxNeverACrash(@ForAll("requests") String request) throws Exception {
        GatewayHarness h = GatewayHarness.get();
        String status = exchange(h.port, request.getBytes(StandardCharsets.UTF_8));
        if (status != null) { // null: the gateway closed a hopeless connection without answering
            int code = Integer.parseInt(status.split(" ")[1]);
            assertThat(ALLOWED).as(request).contains(code);
        }
        // the gateway still serves after whatever came before
        String ok = exchange(h.port, ("GET /router/rest?" + GatewayHarness.query(GatewayHarness.signed("taobao.time.get"))
                + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        assertThat(ok).startsWith("HTTP/1.1 200");
    }

    @Property(tries = 5)
    void hugeInputsAreRefusedPolitely(@ForAll("sizes") int size) throws Exception {
        GatewayHarness h = GatewayHarness.get();
        String longUrl = "GET /router/rest?x=" + "a".repeat(size) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        assertThat(exchange(h.port, longUrl.getBytes(StandardCharsets.UTF_8))).startsWith("HTTP/1.1 414");
        String bigHeader = "GET /router/rest HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(size * 2) + "\r\nConnection: close\r\n\r\n";
        assertThat(exchange(h.port, bigHeader.getBytes(StandardCharsets.UTF_8))).startsWith("HTTP/1.1 431");
        String bigBody = "POST /router/rest HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + (3 * 1024 * 1024) + "\r\nConnection: close\r\n\r\n";
        assertThat(exchange(h.port, bigBody.getBytes(StandardCharsets.UTF_8))).startsWith("HTTP/1.1 413");
        StringBuilder many = new StringBuilder("GET /router/rest?");
        for (int i = 0; i < 600; i++) {
            many.append("p").append(i).append("=1&");
        }
        String r = exchangeBody(h.port, (many + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        // no format parameter: TOP's default, XML
        assertThat(r).contains("<code>41</code>").contains("isv.too-many-parameters");
    }

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.integers().between(9_000, 20_000);
    }

    @AfterContainer
    static void noLeaksNoBlocking() throws Exception {
        for (int i = 0; i < 5; i++) {
            // a full collection has run once a fresh weakly held object is gone
            java.lang.ref.WeakReference<Object> probe = new java.lang.ref.WeakReference<>(new Object());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                System.gc();
                return probe.get() == null;
            });
            // allocations make the detector report what the collector found unreleased
            for (int j = 0; j < 100; j++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(64);
                b.release();
            }
        }
        assertThat(GatewayHarness.LEAKS).isEmpty();
        assertThat(GatewayHarness.BLOCKING_CALLS).isEmpty();
    }

    private static String exchange(int port, byte[] request) throws IOException {
        String all = exchangeBody(port, request);
        if (all == null || all.isEmpty()) {
            return null;
        }
        int eol = all.indexOf("\r\n");
        return eol < 0 ? all : all.substring(0, eol);
    }

    private static String exchangeBody(int port, byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // the gateway may refuse (and close) before the whole request is written
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            try {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    buf.write(chunk, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer and no close within 15 s for: " + new String(request, 0,
                        Math.min(200, request.length), StandardCharsets.UTF_8));
            } catch (IOException e) {
                // reset after the answer
            }
            return buf.toString(StandardCharsets.UTF_8);
        }
    }

}
