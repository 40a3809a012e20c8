package io.topaz.control;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DataDirEnvironmentPostProcessorTest {

    private final DataDirEnvironmentPostProcessor processor = new DataDirEnvironmentPostProcessor();

    @Test
    void relativeDataDirBecomesAbsolute() {
        StandardEnvironment env = env("data");
        processor.postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty("topaz.data-dir")).isEqualTo(Path.of("data").toAbsolutePath().normalize().toString());
        assertThat(Path.of(env.getProperty("topaz.data-dir"))).isAbsolute();
    }

    @Test
    void absoluteDataDirIsKept() {
        StandardEnvironment env = env("/var/lib/topaz");
        processor.postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty("topaz.data-dir")).isEqualTo("/var/lib/topaz");
        assertThat(env.getPropertySources().contains("topazAbsoluteDataDir")).isFalse();
    }

    private static StandardEnvironment env(String dataDir) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addLast(new MapPropertySource("test", Map.of("topaz.data-dir", dataDir)));
        return env;
    }
}
