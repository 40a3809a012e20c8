package io.topaz.model.docs;

import io.topaz.model.testing.RepositoryDocs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documentation is self-contained: README.md and docs/*.md name only files the repository has, and nothing
 * outside it (a newcomer has the repository and nothing else).
 */
class SelfContainedDocsTest {

    private static final Pattern REPO_PATH = Pattern.compile("\\b((?:docs|scripts)/[A-Za-z0-9_./-]+\\.(?:md|sh|png))");
    private static final List<String> OUTSIDE = List.of("../shared", "TOP-PROTOCOL.md", "TMC-PROTOCOL.md",
            "SERVICES.md", "STYLE.md", "TOOLCHAIN.md", "/work/");

    @Test
    void everyFileTheDocsNameIsInTheRepositoryAndNoneIsOutsideIt() throws IOException {
        Path root = RepositoryDocs.root();
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).forEach(docs::add);
        }
        List<String> problems = new ArrayList<>();
        for (Path doc : docs) {
            String text = Files.readString(doc);
            String name = root.relativize(doc).toString();
            for (String outside : OUTSIDE) {
                if (text.contains(outside)) {
                    problems.add(name + " refers to '" + outside + "', which is not in the repository");
                }
            }
            Matcher m = REPO_PATH.matcher(text);
            while (m.find()) {
                if (!Files.exists(root.resolve(m.group(1)))) {
                    problems.add(name + " names " + m.group(1) + ", which does not exist");
                }
            }
        }
        assertThat(problems).as("documentation that points outside the repository or at missing files").isEmpty();
    }
}
