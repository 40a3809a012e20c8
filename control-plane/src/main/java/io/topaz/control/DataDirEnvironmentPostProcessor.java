package io.topaz.control;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.nio.file.Path;
import java.util.Map;

/**
 * Makes {@code topaz.data-dir} absolute (against the working directory) before anything uses it. H2 refuses a file URL
 * that is implicitly relative, and the embedded ZooKeeper's data directory should not depend on where a relative path
 * happens to be resolved later.
 */
public class DataDirEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String PROPERTY = "topaz.data-dir";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String dir = environment.getProperty(PROPERTY);
        if (dir == null || dir.isBlank()) {
            return;
        }
        String absolute = Path.of(dir).toAbsolutePath().normalize().toString();
        if (!absolute.equals(dir)) {
            environment.getPropertySources().addFirst(new MapPropertySource("topazAbsoluteDataDir",
                    Map.of(PROPERTY, absolute)));
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE; // after application.yml and the command line have been read
    }
}
