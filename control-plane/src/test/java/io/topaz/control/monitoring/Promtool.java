package io.topaz.control.monitoring;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs Prometheus' {@code promtool} (Debian package {@code prometheus}, installed by scripts/services.sh). Under
 * {@code CI=true} a missing promtool fails the test; elsewhere it is skipped with the same message.
 */
final class Promtool {

    static final String MISSING = "promtool is not installed: apt-get update && apt-get install -y prometheus "
            + "(scripts/services.sh does this in CI)";

    private Promtool() {
    }

    static void requireInstalled() {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "promtool"))) {
                found = true;
            }
        }
        if (!found) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(MISSING);
            }
            Assumptions.abort(MISSING);
        }
    }

    /** Runs {@code promtool args…} in {@code dir} and asserts it exits 0; returns its output. */
    static String run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("promtool");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool " + String.join(" ", args) + " did not finish within 60 s");
        }
        assertThat(p.exitValue()).as("promtool " + String.join(" ", args) + " said:\n" + output).isZero();
        return output;
    }
}
