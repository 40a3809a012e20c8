package io.topaz.model;

import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.ReleaseCodec;
import io.topaz.model.release.SnapshotFile;
import io.topaz.model.testing.PowerLossFileOperations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's release snapshot after a power loss: once written, a release is the one the agent boots from. */
class SnapshotFileTest {

    private final PowerLossFileOperations files = new PowerLossFileOperations();

    private static EncodedRelease release(long number) {
        return ReleaseCodec.encode(ReleaseCodecTest.apis(number, 3, "/r" + number), "m", "a", 0, null);
    }

    @Test
    void aReplacedReleaseIsTheOneReadAfterAPowerLoss(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agent").resolve("release.json");
        SnapshotFile.write(file, release(1)); // on disk (and durable) before the test's writes
        SnapshotFile.write(files, file, release(2));

        files.losePower();

        // Without the directory force the rename is lost (release 1 comes back); without the temp file's force the
        // rename survives but the content does not (an empty file that cannot be read).
        assertThat(SnapshotFile.read(file).orElseThrow().release()).isEqualTo(2);
        assertThat(Files.exists(file.resolveSibling("release.json.tmp"))).isFalse();
    }

    @Test
    void theFirstReleaseWrittenSurvivesAPowerLoss(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("release.json");
        SnapshotFile.write(files, file, release(7));

        files.losePower();

        assertThat(SnapshotFile.read(file)).map(ConfigSnapshot::release).contains(7L);
    }

    @Test
    void theTempFileIsForcedBeforeTheRenameAndTheDirectoryAfterIt(@TempDir Path dir) {
        SnapshotFile.write(files, dir.resolve("release.json"), release(1));

        assertThat(files.calls()).containsExactly("createDirectories " + dir.getFileName(),
                "write release.json.tmp", "force release.json.tmp", "rename release.json.tmp release.json",
                "forceDirectory " + dir.getFileName());
    }

    /** The fake itself: what was not forced is gone after the power loss, so the tests above can fail. */
    @Test
    void powerLossDropsUnforcedBytesAndUnforcedRenames(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        files.write(a, "forced".getBytes(StandardCharsets.UTF_8));
        files.force(a);
        files.forceDirectory(dir);
        files.write(a, "not forced".getBytes(StandardCharsets.UTF_8));
        files.write(b, "never forced".getBytes(StandardCharsets.UTF_8));
        files.forceDirectory(dir); // b's entry is durable, its bytes are not

        Path c = dir.resolve("c");
        files.write(c, "c".getBytes(StandardCharsets.UTF_8));
        files.force(c); // bytes forced, entry not

        files.losePower();

        assertThat(Files.readString(a)).isEqualTo("forced");
        assertThat(Files.readAllBytes(b)).isEmpty();
        assertThat(Files.exists(c)).isFalse();
    }
}
