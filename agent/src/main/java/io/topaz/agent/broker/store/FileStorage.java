package io.topaz.agent.broker.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** {@link Storage} on the real file system: {@link FileChannel}s and {@link MappedByteBuffer}s. */
final class FileStorage implements Storage {

    @Override
    public void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    @Override
    public List<String> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    @Override
    public boolean exists(Path file) {
        return Files.exists(file);
    }

    @Override
    public long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file, e);
        }
    }

    @Override
    public MappedFile create(Path file, int capacity) {
        return map(file, capacity, true, StandardOpenOption.CREATE_NEW);
    }

    @Override
    public MappedFile open(Path file, int capacity, boolean writable) {
        return map(file, capacity, writable, StandardOpenOption.READ);
    }

    private static MappedFile map(Path file, int capacity, boolean writable, StandardOpenOption how) {
        FileChannel ch = null;
        try {
            ch = writable ? FileChannel.open(file, how, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ);
            long size = writable ? Math.max(capacity, ch.size()) : ch.size();
            MappedByteBuffer map = ch.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY,
                    0, size);
            return new Mapped(file, ch, map, writable);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot map " + file, e instanceof IOException io ? io : new IOException(e));
        }
    }

    @Override
    public byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public void write(Path file, byte[] content) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void rename(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + from + " to " + to.getFileName(), e);
        }
    }

    @Override
    public void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    @Override
    public void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync directory " + dir, e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    /**
     * A mapping and its channel: appends go through the channel ({@code pwrite}), reads through the mapping (one page
     * cache). {@code fdatasync} covers the bytes; a changed size takes a full {@code fsync}.
     */
    private static final class Mapped implements MappedFile {
        private final Path file;
        private final FileChannel channel;
        private final MappedByteBuffer map;
        private volatile boolean sizeChanged;

        Mapped(Path file, FileChannel channel, MappedByteBuffer map, boolean writable) {
            this.file = file;
            this.channel = channel;
            this.map = map;
            this.sizeChanged = writable; // a new or grown file: its size is metadata the first force must cover
        }

        @Override
        public ByteBuffer buffer() {
            return map;
        }

        @Override
        public void write(int offset, ByteBuffer bytes) {
            try {
                for (long at = offset; bytes.hasRemaining(); ) {
                    at += channel.write(bytes, at);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }

        @Override
        public void force() {
            try {
                if (!map.isReadOnly()) {
                    channel.force(false); // fdatasync: the file's dirty pages, written by write() or the mapping
                }
                if (sizeChanged) {
                    channel.force(true);
                    sizeChanged = false;
                }
            } catch (IOException | RuntimeException e) {
                throw new UncheckedIOException("cannot force " + file, e instanceof IOException io ? io : new IOException(e));
            }
        }

        @Override
        public void truncate(int size) {
            try {
                channel.truncate(size);
                sizeChanged = true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot truncate " + file, e);
            }
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }
    }
}
