package io.topaz.console.signin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The settings {@code scripts/quickstart.sh} writes to {@code .topaz/quickstart.env}: {@code TOPAZ_CONTROL_URL} and
 * {@code TOPAZ_TOKEN} (shell {@code NAME=value} lines).
 */
public record QuickstartEnv(String controlPlaneUrl, String token) {

    /** The file's URL and token, or empty when the file is absent, unreadable or lacks either. */
    public static Optional<QuickstartEnv> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Map<String, String> values = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String l = line.strip();
                if (l.startsWith("export ")) {
                    l = l.substring(7).strip();
                }
                int eq = l.indexOf('=');
                if (l.isEmpty() || l.startsWith("#") || eq < 1) {
                    continue;
                }
                values.put(l.substring(0, eq).strip(), unquote(l.substring(eq + 1).strip()));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        String url = values.get("TOPAZ_CONTROL_URL");
        String token = values.get("TOPAZ_TOKEN");
        if (url == null || url.isBlank() || token == null || token.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new QuickstartEnv(url, token));
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    @Override
    public String toString() {
        return "QuickstartEnv[controlPlaneUrl=" + controlPlaneUrl + ", token=(hidden)]";
    }
}
