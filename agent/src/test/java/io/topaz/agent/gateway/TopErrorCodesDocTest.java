package io.topaz.agent.gateway;

import io.topaz.model.testing.RepositoryDocs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * docs/top-protocol.md lists every TOP code and sub_code the gateway answers: each {@code TopError.of(code, "sub")}
 * and {@code Stage.fail(code, "sub")} in the agent's sources, and every {@code accesscontrol.*} sub-code (code 7),
 * must have a row {@code | code | msg | `sub…`} in its table. A new error without its documentation fails here.
 */
class TopErrorCodesDocTest {

    private static final Pattern RAISED = Pattern.compile("(?:TopError\\.of|Stage\\.fail)\\(\\s*(\\d+),\\s*\"([^\"]+)\"");
    private static final Pattern LIMITED = Pattern.compile("\"(accesscontrol\\.[a-z-]+)\"");

    @Test
    void everyCodeAndSubCodeTheGatewayAnswersIsInTheProtocolDoc() throws IOException {
        Set<String> raised = new LinkedHashSet<>();
        try (Stream<Path> files = Files.walk(RepositoryDocs.root().resolve("agent/src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                Matcher m = RAISED.matcher(src);
                while (m.find()) {
                    raised.add(m.group(1) + " " + m.group(2));
                }
                Matcher l = LIMITED.matcher(src);
                while (l.find()) {
                    raised.add("7 " + l.group(1));
                }
            }
        }
        assertThat(raised).as("errors found in the gateway's sources").hasSizeGreaterThan(20)
                .contains("31 isv.invalid-parameter:timestamp", "7 accesscontrol.limited-by-api-access-count");

        String doc = RepositoryDocs.read("docs/top-protocol.md");
        List<String> missing = new ArrayList<>();
        for (String error : raised) {
            int space = error.indexOf(' ');
            String code = error.substring(0, space);
            String sub = error.substring(space + 1);
            String row = "| " + code + " | " + TopError.message(Integer.parseInt(code)) + " | `" + sub;
            if (!doc.contains(row)) {
                missing.add(row + "` |");
            }
        }
        if (!missing.isEmpty()) {
            fail("docs/top-protocol.md lacks rows for errors the gateway answers:\n  " + String.join("\n  ", missing));
        }
    }
}
