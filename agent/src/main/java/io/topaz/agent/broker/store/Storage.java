package io.topaz.agent.broker.store;

import java.io.Closeable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file operation of the log store, so that tests can put a disk that loses power behind it (as RocksDB's
 * {@code FaultInjectionTestEnv} does). {@link FileStorage} is the real one.
 *
 * <p>What survives a power loss is only what was made durable: a file's bytes and size by {@link MappedFile#force()}
 * or {@link #write} (which forces); a directory's entries — files created, renamed or deleted — by
 * {@link #syncDirectory}. Every method reports failure as an {@link UncheckedIOException}.
 */
interface Storage {

    /** Creates {@code dir} and its parents if missing. */
    void createDirectories(Path dir);

    /** The names of the files in {@code dir}. */
    List<String> list(Path dir);

    boolean exists(Path file);

    long size(Path file);

    /** Creates {@code file} of {@code capacity} zero bytes, mapped for reading and writing. */
    MappedFile create(Path file, int capacity);

    /**
     * Maps an existing file: writable at {@code capacity} (the file grows to it with zeros), or read-only at its
     * size.
     */
    MappedFile open(Path file, int capacity, boolean writable);

    byte[] readAll(Path file);

    /** Creates or replaces {@code file} with {@code content} and forces it (not its directory entry). */
    void write(Path file, byte[] content);

    /** Renames atomically, replacing {@code to}. Durable after {@link #syncDirectory} of the directory. */
    void rename(Path from, Path to);

    /** Deletes {@code file} if it exists. Durable after {@link #syncDirectory} of the directory. */
    void delete(Path file);

    /** Makes every create, rename and delete in {@code dir} so far survive a power loss. */
    void syncDirectory(Path dir);

    /** A file mapped into memory: reads and writes go through {@link #buffer()}. */
    interface MappedFile extends Closeable {

        /** The mapping, from byte 0; callers use absolute gets and puts on it or on duplicates. */
        ByteBuffer buffer();

        /**
         * Writes {@code bytes} at {@code offset} through the file rather than the mapping (one copy, no page fault per
         * page); the mapping sees them at once.
         */
        void write(int offset, ByteBuffer bytes);

        /** Makes every byte written (by {@link #write} or through the mapping), and the file's size, durable. */
        void force();

        /** Cuts the file to {@code size} bytes; durable at the next {@link #force()}. */
        void truncate(int size);

        /** Releases the file. A reader still holding a duplicate of the mapping may go on reading it. */
        @Override
        void close();
    }
}
