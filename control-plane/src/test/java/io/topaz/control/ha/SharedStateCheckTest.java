package io.topaz.control.ha;

import io.topaz.control.ControlPlaneApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An H2 database with an external ZooKeeper is refused at start, before anything starts; the quickstart's pair is not. */
class SharedStateCheckTest {

    @Test
    void anH2FileDatabaseWithAnExternalZooKeeperIsRefusedAtStartWithWhatToDo() {
        // port 1: nothing is ever reached, the refusal comes first
        assertThatThrownBy(() -> new SpringApplicationBuilder(ControlPlaneApplication.class).registerShutdownHook(false)
                .run("--server.port=0", "--topaz.zookeeper.connect-string=127.0.0.1:1",
                        "--spring.datasource.url=jdbc:h2:file:/tmp/never-created/cp"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a file H2 database")
                .hasMessageContaining("spring.datasource.url=jdbc:postgresql://")
                .hasMessageContaining("Running two control planes");
    }

    @Test
    void anInMemoryH2DatabaseWithAnExternalZooKeeperIsRefusedToo() {
        assertThatThrownBy(() -> SharedStateCheck.refuseUnshareable("zk1:2181,zk2:2181", "jdbc:h2:mem:cp;DB_CLOSE_DELAY=-1", false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("an in-memory H2 database");
    }

    @Test
    void theEmbeddedZooKeeperWithH2AndAnySharedDatabaseStart() {
        assertThatCode(() -> SharedStateCheck.refuseUnshareable("", "jdbc:h2:file:/data/h2/control-plane", false))
                .doesNotThrowAnyException();
        assertThatCode(() -> SharedStateCheck.refuseUnshareable("zk1:2181", "jdbc:postgresql://db:5432/topaz", false))
                .doesNotThrowAnyException();
        assertThatCode(() -> SharedStateCheck.refuseUnshareable("zk1:2181", "jdbc:h2:mem:one", true))
                .doesNotThrowAnyException();
        assertThat(SharedStateCheck.ALLOW).isEqualTo("topaz.ha.allow-h2-with-external-zookeeper");
    }
}
