package io.topaz.control;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI description, health with ZooKeeper, and Prometheus metrics. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.defaults.metrics.export.enabled=true")
class ObservabilityTest extends ControlPlaneTestSupport {

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), TestZooKeeper.uniqueRoot());
    }

    @Test
    void openApiDescribesTheRestApi() {
        RestApi.Response docs = withRole("VIEWER").get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json("paths").has("/api/v1/releases")).isTrue();
        assertThat(docs.json("paths").has("/api/v1/agents")).isTrue();
        assertThat(docs.json("info").get("title").asString()).isEqualTo("Topaz control plane");
        assertThat(docs.json("components").get("securitySchemes").has("bearer")).isTrue();
    }

    @Test
    void healthShowsZooKeeperToAViewer() {
        RestApi.Response health = withRole("VIEWER").get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json("components").get("zookeeper").get("status").asString()).isEqualTo("UP");
        assertThat(anonymous().get("/actuator/health").body().has("components")).isFalse();
    }

    @Test
    void prometheusMetricsNeedAToken() {
        assertThat(anonymous().get("/actuator/prometheus").status()).isEqualTo(401);
        RestApi.Response metrics = withRole("VIEWER").get("/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.raw()).contains("jvm_memory_used_bytes").contains("http_server_requests");
    }
}
