package io.topaz.control.security;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * Writes the files that hold secrets (the app-secret encryption key, the generated bootstrap admin token) so that no
 * one but their owner can read them at any moment: the file is created with owner-only permissions ({@code rw-------})
 * as an attribute of its creation, never made readable and narrowed afterwards with a chmod — another user watching
 * the directory could open it in between and keep the descriptor. Directories created on the way are
 * {@code rwx------}. On a file system without POSIX permissions the files are written plainly.
 */
public final class OwnerOnlyFiles {

    private static final FileAttribute<?> FILE = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<?> DIR = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private OwnerOnlyFiles() {
    }

    /** Creates {@code file} with {@code content}; fails with {@link java.nio.file.FileAlreadyExistsException} if it exists. */
    public static void createNew(Path file, String content) throws IOException {
        Path absolute = file.toAbsolutePath();
        createDirectories(absolute.getParent());
        try (FileChannel ch = posix(absolute)
                ? FileChannel.open(absolute, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE)
                : FileChannel.open(absolute, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeAll(ch, content);
        }
    }

    /**
     * Writes {@code content} to {@code file}, replacing what was there: through an owner-only temporary file in the same
     * directory moved over the target, so a file that existed with wider permissions is replaced, not rewritten.
     */
    public static void replace(Path file, String content) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        createDirectories(dir);
        Path tmp = posix(absolute)
                ? Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp", FILE)
                : Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeAll(ch, content);
            }
            Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Creates the missing directories of {@code dir}, owner-only; existing ones are left as they are. */
    public static void createDirectories(Path dir) throws IOException {
        if (dir == null || Files.isDirectory(dir)) {
            return;
        }
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && posix(existing)) {
            Files.createDirectories(dir, DIR);
        } else {
            Files.createDirectories(dir);
        }
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void writeAll(FileChannel ch, String content) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        ch.force(true);
    }
}
