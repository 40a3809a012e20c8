package io.topaz.console.signin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleSettingsTest {

    @TempDir
    Path dir;

    @Test
    void remembersTheUrlAcrossInstancesAndSurvivesAMissingOrBrokenFile() throws Exception {
        Path file = dir.resolve("nested/console.properties");
        assertThat(new ConsoleSettings(file).controlPlaneUrl()).isEmpty();
        new ConsoleSettings(file).rememberControlPlaneUrl("https://cp.internal:9443");
        assertThat(new ConsoleSettings(file).controlPlaneUrl()).contains("https://cp.internal:9443");

        Files.writeString(file, "controlPlaneUrl=\\u12");   // a malformed escape
        assertThat(new ConsoleSettings(file).controlPlaneUrl()).isEmpty();
    }
}
