package io.topaz.control.traffic;

import com.sun.net.httpserver.HttpServer;
import io.topaz.model.fleet.AgentInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The traffic poll reads an agent's admin port over the scheme {@code topaz.admin.https} names: http by default, and
 * https when the agents' admin ports serve TLS, in which case a plain port is not read at all.
 */
class AgentTrafficReaderTest {

    private HttpServer admin;
    private final AtomicInteger scrapes = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        admin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        admin.createContext("/metrics", ex -> {
            try (ex) {
                scrapes.incrementAndGet();
                byte[] b = ("topaz_gateway_requests_total{method=\"taobao.item.get\"} 7.0\n"
                        + "topaz_zookeeper_connected 1.0\n").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, b.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            }
        });
        admin.start();
    }

    @AfterEach
    void stop() {
        admin.stop(0);
    }

    private AgentInfo agent() {
        return new AgentInfo("a1", "zone-a", "c1", "127.0.0.1", Map.of("admin", admin.getAddress().getPort()), "test",
                1_000, 1, 1_000);
    }

    @Test
    void anAgentIsScrapedOverHttpByDefault() throws Exception {
        AgentTrafficReader reader = new AgentTrafficReader(Duration.ofSeconds(5), "http");
        assertThat(reader.scrape(agent()).get(10, TimeUnit.SECONDS)).isPresent();
        assertThat(scrapes.get()).isEqualTo(1);
    }

    @Test
    void withHttpsAPlainAdminPortIsNotRead() throws Exception {
        AgentTrafficReader reader = new AgentTrafficReader(Duration.ofSeconds(5), "https");
        assertThat(reader.scrape(agent()).get(10, TimeUnit.SECONDS)).as("TLS to a plain port fails").isEmpty();
        assertThat(scrapes.get()).isZero();
    }
}
