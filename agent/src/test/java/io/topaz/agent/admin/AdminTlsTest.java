package io.topaz.agent.admin;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.net.TlsFiles;
import io.topaz.agent.net.Transport;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * https on the admin port ({@code --admin-tls-cert}, {@code --admin-tls-key}) with the test certificate
 * (src/test/resources/tls, CN=localhost, IP 127.0.0.1): a client trusting it is served, tokens checked as over
 * http; a plain http client gets nothing and no route runs; the two flags go together.
 */
class AdminTlsTest {

    private static Path resource(String name) throws Exception {
        return Path.of(AdminTlsTest.class.getResource("/tls/" + name).toURI());
    }

    /** A client trusting only the test certificate, checking the host name (127.0.0.1 is in the certificate). */
    private static HttpClient trusting() throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(resource("cert.pem"))) {
            store.setCertificateEntry("topaz-test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void theAdminPortServesHttpsOnlyWithItsCertificate() throws Exception {
        AtomicInteger reconciles = new AtomicInteger();
        AdminServer admin = new AdminServer(() -> Map.of("status", "UP"), () -> "topaz_up 1\n")
                .tls(new TlsFiles(resource("cert.pem"), resource("key.pem")).serverContext());
        admin.route("/sync/reconcile", (method, params, body) -> {
            reconciles.incrementAndGet();
            return CompletableFuture.completedFuture(Map.of());
        });
        try {
            int port = admin.start("127.0.0.1", 0, Transport.NIO);
            assertThat(admin.secure()).isTrue();
            HttpClient https = trusting();
            HttpResponse<String> health = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("UP");
            HttpResponse<String> metrics = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("topaz_up 1");
            // a POST without a token is refused over https as over http
            HttpResponse<String> post = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/sync/reconcile")).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(401);

            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/sync/reconcile")).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("plain http to the TLS port").isInstanceOf(java.io.IOException.class);
            assertThat(reconciles.get()).isZero();
        } finally {
            admin.close();
        }
    }

    @Test
    void adminTlsFlagsGoTogether() {
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a1", "--admin-tls-cert=/x/c.pem"), Map.of(), "t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--admin-tls-cert and --admin-tls-key go together")
                .hasMessageContaining("only --admin-tls-cert was given");
        AgentSettings both = AgentSettings.parse(List.of("--id=a1", "--admin-tls-cert=/x/c.pem",
                "--admin-tls-key=/x/k.pem"), Map.of(), "t");
        assertThat(both.adminTls()).isEqualTo(new TlsFiles(Path.of("/x/c.pem"), Path.of("/x/k.pem")));
        assertThat(AgentSettings.parse(List.of("--id=a1"), Map.of(), "t").adminTls()).isNull();
        assertThat(AgentSettings.parse(List.of("--id=a1"), Map.of("TOPAZ_ADMIN_TLS_CERT", "/e/c.pem",
                "TOPAZ_ADMIN_TLS_KEY", "/e/k.pem"), "t").adminTls())
                .isEqualTo(new TlsFiles(Path.of("/e/c.pem"), Path.of("/e/k.pem")));
    }

    @Test
    void aTlsPortCannotBeSetOnceStarted() throws Exception {
        AdminServer admin = new AdminServer(Map::of, () -> "");
        try {
            admin.start("127.0.0.1", 0, Transport.NIO);
            assertThatThrownBy(() -> admin.tls(new TlsFiles(resource("cert.pem"), resource("key.pem"))
                    .serverContext())).isInstanceOf(IllegalStateException.class);
            assertThat(admin.secure()).isFalse();
        } finally {
            admin.close();
        }
    }
}
