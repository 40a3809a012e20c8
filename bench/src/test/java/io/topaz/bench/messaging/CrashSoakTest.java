package io.topaz.bench.messaging;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The message service's crash soak as CI runs it (issues 16 and 17): {@link SoakDriver} with a control plane and two
 * agents as processes, two subscribed apps — the first consumed by push (a WebSocket consumer connected to each
 * agent's broker port, reconnecting when its agent dies), the second by pull — producers and consumers running
 * throughout, and three times the agent owning the push app's queue killed with SIGKILL while push consumers are
 * connected to it, and started again on its ports and data directory. Every acknowledged
 * message must reach every app at least once; duplicates are counted in the report (printed to this test's output),
 * never hidden. {@code scripts/soak-messaging.sh} runs the same driver 50 times.
 *
 * <p>Needs the control plane's and the agent's jars: {@code mvn verify} packages those modules before this one's
 * tests run. The agents get a 3 s redelivery timeout ({@code --broker-redelivery-timeout}): a consume answered by an
 * owner whose answer died with the forwarding agent comes back after it, not after the default minute.
 * When the test fails, the cluster's directory (logs of every process) stays under {@code bench/target/crash-soak-*}.
 */
class CrashSoakTest {

    private static final String VERSION = "0.1.0-SNAPSHOT";

    @Test
    void noAcknowledgedMessageIsLostWhenTheQueuesOwnerIsKilledAndRestarted() throws Exception {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        Path repo = module.getParent();
        List<Path> jars = List.of(repo.resolve("control-plane/target/control-plane-" + VERSION + "-exec.jar"),
                repo.resolve("agent/target/agent-" + VERSION + ".jar"), repo.resolve("agent/target/lib"));
        assertThat(jars).as("this test starts the control plane and agents from their packaged jars; run it with "
                + "`mvn verify` (which packages control-plane and agent first) or `mvn -DskipTests -pl bench -am "
                + "package` before `mvn test`").allMatch(Files::exists);
        Path dir = Files.createDirectories(module.resolve("target/crash-soak-" + Instant.now().toEpochMilli()));

        SoakDriver.Settings settings = new SoakDriver.Settings(repo, dir, 3, 2, 2, 1, 2, 100,
                2_000, 1_000, 2_000, 45,
                List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                List.of("--broker-redelivery-timeout=3s"));
        SoakDriver.Report report = SoakDriver.run(settings);
        System.out.print(report.summary());

        assertThat(report.kills()).hasSize(3);
        assertThat(report.kills()).as("the queue's owner, found on the broker ports, was killed")
                .anyMatch(k -> k.chosenBy().equals("owner"));
        assertThat(report.acknowledged()).as("produces acknowledged across the kills").isGreaterThan(200);
        assertThat(report.apps()).hasSize(2).allSatisfy(app -> {
            assertThat(app.lost()).as("%s: acknowledged messages never delivered (first: %s); logs in %s", app.app(),
                    app.firstLost(), dir.resolve("logs")).isZero();
            assertThat(app.acknowledgedDelivered()).isEqualTo(report.acknowledged());
        });
        assertThat(report.pushApps()).containsExactly("soak-app-1");
        assertThat(report.pushReconnects()).as("the push consumer of the killed agent reconnected after each kill")
                .isGreaterThanOrEqualTo(3);
        assertThat(report.summary()).contains("duplicates", "consumed by push", "PASSED");
        assertThat(report.passed()).isTrue();
        deleteTree(dir); // kept only when the test fails, for its logs
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
