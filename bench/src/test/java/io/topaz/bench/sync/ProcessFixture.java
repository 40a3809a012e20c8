package io.topaz.bench.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The setup that the sync tests running the control plane and agents as processes from their packaged jars
 * ({@link SyncKillTest}, {@link IsolationTest}) share: the real databases required (see
 * {@link SyncBenchTest#requireDatabases()}), the jars checked, and a directory of the test's own under
 * {@code bench/target} for the processes' data and logs, deleted only once the test has passed; with the count of
 * live orders both compare between target and source.
 *
 * @param repo the repository's root (where the jars are built)
 * @param dir  the test's directory under {@code bench/target}
 */
record ProcessFixture(Path repo, Path dir) {

    static final String VERSION = "0.1.0-SNAPSHOT";

    /** Requires the databases and the packaged jars; creates {@code bench/target/<dirPrefix>-<epoch millis>}. */
    static ProcessFixture prepare(String dirPrefix) throws IOException {
        SyncBenchTest.requireDatabases();
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        Path repo = module.getParent();
        assertThat(List.of(repo.resolve("control-plane/target/control-plane-" + VERSION + "-exec.jar"),
                repo.resolve("agent/target/agent-" + VERSION + ".jar"))).as("this test starts the control plane and "
                + "agents from their packaged jars: run it with `mvn verify`").allMatch(Files::exists);
        Path dir = Files.createDirectories(module.resolve("target/" + dirPrefix + "-" + Instant.now().toEpochMilli()));
        return new ProcessFixture(repo, dir);
    }

    /** Deletes {@link #dir}: call it last, once the test has passed, so that a failure keeps the processes' logs. */
    void deleteDir() throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Orders not deleted, on the target or the source (an order created and deleted while its messages were lost
     * never reaches the target).
     */
    static long liveOrders(BenchDatabases db, boolean onTarget) throws SQLException {
        try (var c = (onTarget ? db.targetPool() : db.sourcePool()).getConnection();
             var rs = c.createStatement().executeQuery(onTarget
                     ? "SELECT COUNT(*) FROM jdp_tb_trade WHERE jdp_delete = 0"
                     : "SELECT COUNT(*) FROM tb_trade WHERE NOT deleted")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
