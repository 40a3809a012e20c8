package io.topaz.model.release;

import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;

/**
 * A release written to one local file: the manifest and its blobs in one JSON document. Agents keep the last applied
 * release this way and boot from it when ZooKeeper is unreachable. Writes go to a temporary file that is forced to
 * disk and then atomically moved over the old one, so a crash leaves either the old or the new release, never half.
 */
public final class SnapshotFile {

    /** The on-disk form. */
    public record Content(ReleaseManifest manifest, Map<String, byte[]> blobs) {
    }

    private SnapshotFile() {
    }

    public static void write(Path file, EncodedRelease release) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            byte[] json = Json.write(new Content(release.manifest(), release.blobs()));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(json));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            // The rename is a directory change: without this it may not survive a power loss, and the agent would
            // boot from the previous release (or none) although it had applied this one.
            try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write snapshot " + file, e);
        }
    }

    /** The release in the file, verified against its hashes; empty when there is no file. */
    public static Optional<ConfigSnapshot> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Content c = Json.read(Files.readAllBytes(file), Content.class);
            return Optional.of(ReleaseCodec.decode(c.manifest(), c.blobs()::get));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read snapshot " + file, e);
        }
    }
}
