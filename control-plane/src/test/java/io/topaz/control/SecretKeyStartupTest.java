package io.topaz.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 19 point 6, as an operator meets it: a control plane on PostgreSQL without an explicit encryption key does not
 * start, and says which setting to give; with the key it starts.
 */
class SecretKeyStartupTest {

    @TempDir
    Path dataDir;

    @Test
    void postgresWithoutAnExplicitKeyIsRefusedAtStart() {
        String url = TestServices.createPostgresDatabase();
        try {
            assertThatThrownBy(() -> start(url, null).close())
                    .hasRootCauseInstanceOf(IllegalStateException.class)
                    .rootCause().hasMessageContaining("TOPAZ_METADATA_ENCRYPTION_KEY")
                    .hasMessageContaining("not generated");
            assertThat(dataDir.resolve("metadata-key")).doesNotExist();
            try (ConfigurableApplicationContext ctx = start(url, "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=")) {
                assertThat(ctx.isRunning()).isTrue();
            }
        } finally {
            TestServices.dropPostgresDatabase(url);
        }
    }

    private ConfigurableApplicationContext start(String url, String key) {
        SpringApplication app = new SpringApplication(ControlPlaneApplication.class);
        return app.run("--server.port=0", "--topaz.data-dir=" + dataDir,
                "--topaz.zookeeper.connect-string=" + TestZooKeeper.connectString(),
                "--topaz.zookeeper.root=" + TestZooKeeper.uniqueRoot(),
                "--topaz.security.bootstrap-admin-token=" + ControlPlaneTestSupport.ADMIN_TOKEN,
                "--spring.datasource.url=" + url, "--spring.datasource.username=" + TestServices.PG_USER,
                "--spring.datasource.password=",
                "--topaz.metadata.encryption-key=" + (key == null ? "" : key));
    }
}
