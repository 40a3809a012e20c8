package io.topaz.console.signin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class QuickstartEnvTest {

    @TempDir
    Path dir;

    @Test
    void readsTheFileTheQuickstartWrites() throws Exception {
        Path file = dir.resolve("quickstart.env");
        Files.writeString(file, """
                TOPAZ_CONTROL_URL=http://127.0.0.1:9080
                TOPAZ_TOKEN=tpz_abc
                TOPAZ_ZK_CONNECT=127.0.0.1:2181
                """);
        assertThat(QuickstartEnv.read(file)).contains(new QuickstartEnv("http://127.0.0.1:9080", "tpz_abc"));
        assertThat(QuickstartEnv.read(file).orElseThrow().toString()).doesNotContain("tpz_abc");
    }

    @Test
    void acceptsExportAndQuotesAndRefusesAFileWithoutAToken() throws Exception {
        Path file = dir.resolve("a.env");
        Files.writeString(file, "# comment\nexport TOPAZ_CONTROL_URL=\"http://h:1\"\nTOPAZ_TOKEN='tpz_x'\n");
        assertThat(QuickstartEnv.read(file)).contains(new QuickstartEnv("http://h:1", "tpz_x"));
        Files.writeString(file, "TOPAZ_CONTROL_URL=http://h:1\n");
        assertThat(QuickstartEnv.read(file)).isEmpty();
        assertThat(QuickstartEnv.read(dir.resolve("missing.env"))).isEmpty();
    }
}
