package io.topaz.console.signin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What the console remembers between runs, in a small properties file (by default {@code ~/.topaz/console.properties}):
 * the last control plane URL. Never the token: a token left on disk is a credential anyone with the file can use.
 */
public final class ConsoleSettings {

    private static final Logger log = LoggerFactory.getLogger(ConsoleSettings.class);
    private static final String URL = "controlPlaneUrl";

    private final Path file;

    public ConsoleSettings(Path file) {
        this.file = file;
    }

    /** The settings file under the user's home, or where {@code -Dtopaz.console.settings} points. */
    public static ConsoleSettings forCurrentUser() {
        String override = System.getProperty("topaz.console.settings");
        Path file = override != null && !override.isBlank() ? Path.of(override)
                : Path.of(System.getProperty("user.home"), ".topaz", "console.properties");
        return new ConsoleSettings(file);
    }

    public Path file() {
        return file;
    }

    public Optional<String> controlPlaneUrl() {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            log.warn("cannot read console settings {}: {}; starting without them", file, e.getMessage());
            return Optional.empty();
        }
        return Optional.ofNullable(p.getProperty(URL)).filter(s -> !s.isBlank());
    }

    /** Remembers the URL; a failure to write is logged, not shown: it only costs retyping the URL next time. */
    public void rememberControlPlaneUrl(String url) {
        Properties p = new Properties();
        p.setProperty(URL, url);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                p.store(w, "Topaz console settings (the token is never stored)");
            }
        } catch (IOException e) {
            log.warn("cannot write console settings {}: {}", file, e.getMessage());
        }
    }
}
