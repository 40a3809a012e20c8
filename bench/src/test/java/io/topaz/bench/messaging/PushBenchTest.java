package io.topaz.bench.messaging;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The push benchmark ({@code scripts/bench-push.sh}) run tiny, so CI exercises the harness: three consumers, a few
 * seconds per phase, both systems (a Topaz control plane and agent from the packaged jars, with three apps on
 * WebSocket push connections; a Kafka node with three topics and groups). Checks that every phase delivered every
 * acknowledged message and measured something — not the figures, which belong to docs/benchmarks.md.
 */
class PushBenchTest {

    private static final String VERSION = "0.1.0-SNAPSHOT";

    @Test
    void theHarnessMeasuresBothSystemsAndEveryMessageArrives() throws Exception {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        Path repo = module.getParent();
        assertThat(List.of(repo.resolve("control-plane/target/control-plane-" + VERSION + "-exec.jar"),
                repo.resolve("agent/target/agent-" + VERSION + ".jar"))).as("packaged jars: run with `mvn verify`")
                .allMatch(Files::exists);
        Path dir = Files.createDirectories(module.resolve("target/push-bench-" + Instant.now().toEpochMilli()));
        List<String> jvm = List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        PushBench.Settings settings = new PushBench.Settings(List.of("kafka", "topaz"), 3, List.of("200"), 4, 1, 2, 1,
                KafkaPeer.Flush.INTERVAL, jvm, List.of(), 60, repo);

        PushBench.Report report = PushBench.run(settings, dir);

        assertThat(report.results()).extracting(PushBench.Result::system)
                .containsExactly("kafka", "topaz", "kafka", "topaz");
        assertThat(report.results()).allSatisfy(r -> {
            assertThat(r.acked()).as("%s acknowledged produces", r).isPositive();
            assertThat(r.allDelivered()).as("%s delivered every acknowledged message", r).isTrue();
            assertThat(r.errors()).as("%s errors", r).isZero();
            assertThat(r.e2e().getTotalCount()).as("%s timed messages", r).isPositive();
        });
        assertThat(report.results().subList(2, 4)).allSatisfy(r -> assertThat(r.targetRate()).isEqualTo(200));
        assertThat(report.confirmShare()).matches("n/a|\\d+\\.\\d\\d %");
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
