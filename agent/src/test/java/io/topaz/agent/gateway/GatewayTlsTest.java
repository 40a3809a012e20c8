package io.topaz.agent.gateway;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.AgentSettings;
import io.topaz.agent.net.TlsFiles;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * https on the gateway port ({@code --tls-cert}, {@code --tls-key}): a signed TOP call over TLS is answered as over
 * plain HTTP, a plain HTTP request to the https port gets no TOP answer, and bad TLS settings are refused at start
 * with the file named. The test certificate (src/test/resources/tls, CN=localhost, IP 127.0.0.1, valid 100 years)
 * was made with {@code openssl req -x509 -newkey rsa:2048 -nodes}.
 */
class GatewayTlsTest {

    private static Path resource(String name) throws Exception {
        return Path.of(GatewayTlsTest.class.getResource("/tls/" + name).toURI());
    }

    @Test
    void aSignedCallOverHttpsIsAnsweredAndPlainHttpIsNot() throws Exception {
        GatewayHarness h = GatewayHarness.get();
        TlsFiles files = new TlsFiles(resource("cert.pem"), resource("key.pem"));
        try (GatewayServer server = h.newServer(new SimpleMeterRegistry()).tls(files.serverContext())) {
            int port = server.start("127.0.0.1", 0, 1);
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(resource("cert.pem")))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String query = GatewayHarness.query(GatewayHarness.signed("taobao.time.get"));
            HttpResponse<String> answer = https.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + port + "/router/rest?" + query))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("\"time_get_response\"").contains("2026-11-24 12:00:00");

            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/router/rest?" + query))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void badTlsSettingsAreRefusedNamingTheProblem() throws Exception {
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a1", "--tls-cert=/x/cert.pem"), Map.of(), "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-cert and --tls-key go together");
        AgentSettings both = AgentSettings.parse(List.of("--id=a1", "--tls-cert=/x/cert.pem", "--tls-key=/x/key.pem"),
                Map.of(), "t");
        assertThat(both.tls()).isEqualTo(new TlsFiles(Path.of("/x/cert.pem"), Path.of("/x/key.pem")));
        assertThat(AgentSettings.parse(List.of("--id=a1"), Map.of(), "t").tls()).isNull();

        assertThatThrownBy(() -> new TlsFiles(Path.of("/nonexistent/cert.pem"), resource("key.pem")).serverContext())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/nonexistent/cert.pem");
        Path notPem = Files.createTempFile("not", ".pem");
        Files.writeString(notPem, "not a certificate");
        try {
            assertThatThrownBy(() -> new TlsFiles(notPem, resource("key.pem")).serverContext())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(notPem.toString());
        } finally {
            Files.delete(notPem);
        }
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("topaz-test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
