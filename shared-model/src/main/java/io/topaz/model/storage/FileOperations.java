package io.topaz.model.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The few file-system operations a durable replace needs, as a seam: production code uses {@link #real()}; tests pass
 * an implementation that records the calls and, on a simulated power loss, drops what was not forced.
 */
public interface FileOperations {

    /** Creates the directory and any missing parents. */
    void createDirectories(Path dir) throws IOException;

    /** Creates or truncates {@code file} and writes {@code content}, without forcing it to disk. */
    void write(Path file, byte[] content) throws IOException;

    /** Forces the file's content (and the metadata needed to read it) to disk. */
    void force(Path file) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to}; durable only once the directory is forced. */
    void rename(Path from, Path to) throws IOException;

    /** Forces the directory, making the renames, creations and deletions of its entries durable. */
    void forceDirectory(Path dir) throws IOException;

    /** The local file system. */
    static FileOperations real() {
        return LocalFileOperations.INSTANCE;
    }
}
