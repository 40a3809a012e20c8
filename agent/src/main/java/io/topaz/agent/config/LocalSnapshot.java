package io.topaz.agent.config;

import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.SnapshotFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The last applied release on local disk, so an agent can boot and serve while ZooKeeper is unreachable. A file that
 * cannot be read is reported and ignored: the agent then waits for ZooKeeper like a new one.
 */
public final class LocalSnapshot {

    private static final Logger log = LoggerFactory.getLogger(LocalSnapshot.class);

    private final Path file;

    public LocalSnapshot(Path dataDir) {
        this.file = dataDir.resolve("release.json");
    }

    public Path file() {
        return file;
    }

    public Optional<ConfigSnapshot> load() {
        try {
            return SnapshotFile.read(file);
        } catch (RuntimeException e) {
            log.error("local release {} is unreadable ({}); starting without it", file, e.getMessage());
            return Optional.empty();
        }
    }

    public void save(EncodedRelease release) {
        SnapshotFile.write(file, release);
    }
}
