package io.topaz.model.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository's own files, for tests that hold the documentation to the code: a module's tests run in the module's
 * directory, so the repository root is the nearest parent with a {@code docs/} folder and the parent {@code pom.xml}.
 */
public final class RepositoryDocs {

    private RepositoryDocs() {
    }

    /** The repository's root directory. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("docs")) && Files.isRegularFile(d.resolve("pom.xml"))
                    && Files.isDirectory(d.resolve("shared-model"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root (a folder with docs/, pom.xml and shared-model/) above " + dir);
    }

    /** The text of a file, by its path from the repository root, e.g. {@code docs/top-protocol.md}. */
    public static String read(String relativePath) {
        try {
            return Files.readString(root().resolve(relativePath), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + relativePath + " of the repository", e);
        }
    }

    /** The contents of every fenced block of this info string ({@code ```lang}) in a Markdown text, in order. */
    public static List<String> fencedBlocks(String markdown, String info) {
        List<String> blocks = new ArrayList<>();
        String open = "```" + info + "\n";
        int at = markdown.indexOf(open);
        while (at >= 0) {
            int start = at + open.length();
            int end = markdown.indexOf("\n```", start - 1);
            if (end < 0) {
                throw new IllegalStateException("a ```" + info + " block is not closed");
            }
            blocks.add(markdown.substring(start, end + 1));
            at = markdown.indexOf(open, end + 4);
        }
        return blocks;
    }
}
