package io.topaz.model.release;

import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.json.Json;
import io.topaz.model.storage.DurableReplace;
import io.topaz.model.storage.FileOperations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A release written to one local file: the manifest and its blobs in one JSON document. Agents keep the last applied
 * release this way and boot from it when ZooKeeper is unreachable. Writes go to a temporary file that is forced to
 * disk and then atomically moved over the old one ({@link DurableReplace}), so a crash leaves either the old or the new
 * release, never half.
 */
public final class SnapshotFile {

    /** The on-disk form. */
    public record Content(ReleaseManifest manifest, Map<String, byte[]> blobs) {
    }

    private SnapshotFile() {
    }

    public static void write(Path file, EncodedRelease release) {
        write(FileOperations.real(), file, release);
    }

    /**
     * Writes through {@code files} (tests pass one that can cut the power). Durable when it returns: without the
     * directory force the agent could boot from the previous release (or none) although it had applied this one.
     */
    public static void write(FileOperations files, Path file, EncodedRelease release) {
        try {
            DurableReplace.replace(files, file, Json.write(new Content(release.manifest(), release.blobs())));
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
