package io.topaz.model.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Replaces a small file whole so that, after a crash or a power loss, it holds either the old content or the new one,
 * never a mix, and once {@link #replace} returns the new content survives a power loss.
 *
 * <pre>
 *   write  file.tmp      the new content, not yet durable
 *   force  file.tmp      before the rename: otherwise the rename can survive and the content not (an empty file)
 *   rename file.tmp → file   atomic: readers see the old file or the new one
 *   force  directory     the rename is a directory change: unforced, a power loss brings back the old file
 * </pre>
 */
public final class DurableReplace {

    private DurableReplace() {
    }

    public static void replace(FileOperations files, Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        files.createDirectories(dir);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        files.write(tmp, content);
        files.force(tmp);
        files.rename(tmp, file);
        files.forceDirectory(dir);
    }
}
