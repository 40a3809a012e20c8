package io.topaz.model;

import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.CacheRule;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.FlowRule;
import io.topaz.model.config.FlowScope;
import io.topaz.model.config.LimitMode;
import io.topaz.model.config.UpstreamEndpoint;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.ReleaseCodec;
import io.topaz.model.release.SnapshotFile;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReleaseCodecTest {

    static ConfigSnapshot apis(long release, int count, String upstreamSuffix) {
        ConfigSnapshot.Builder b = ConfigSnapshot.builder(release);
        for (int i = 0; i < count; i++) {
            b.put(ConfigKind.APIS, new ApiDefinition("taobao.module" + (i % 97) + ".api" + i + ".get", "group" + (i % 13),
                    List.of(new UpstreamEndpoint("http://upstream-" + (i % 7) + ".internal:8080/api" + upstreamSuffix, 100),
                            new UpstreamEndpoint("http://upstream-" + (i % 5) + ".backup:8080/api", 10)),
                    3000, i % 3 == 0, List.of("fields", "num_iid")));
        }
        return b.build();
    }

    @Test
    void tensOfThousandsOfApisStayFarBelowTheNodeLimit() {
        ConfigSnapshot big = apis(1, 50_000, "");
        EncodedRelease r = ReleaseCodec.encode(big, "big", "test", 0, null);
        assertThat(r.blobs().values()).allSatisfy(blob -> assertThat(blob.length).isLessThan(256 * 1024));
        assertThat(r.manifest().kinds().get("apis").blobs().size()).isGreaterThan(1);
        assertThat(ReleaseCodec.decode(r.manifest(), r.blobs()::get).sameContent(big)).isTrue();
    }

    @Test
    void aOneEntryChangeRewritesOneBlob() {
        ConfigSnapshot before = apis(1, 20_000, "");
        ConfigSnapshot.Builder b = ConfigSnapshot.builder(2);
        before.apis().values().forEach(a -> b.put(ConfigKind.APIS, a));
        b.put(ConfigKind.FLOW_RULES, new FlowRule("r1", FlowScope.API, "taobao.module0.api0.get", null, 5, LimitMode.SINGLE_NODE));
        EncodedRelease r1 = ReleaseCodec.encode(before, "", "", 0, null);
        EncodedRelease r2 = ReleaseCodec.encode(b.build(), "", "", 0, null);
        Set<String> newBlobs = new HashSet<>(r2.blobs().keySet());
        newBlobs.removeAll(r1.blobs().keySet());
        assertThat(newBlobs).hasSize(1); // just the flow-rules bucket; every API bucket is shared
    }

    @Test
    void aBlobThatDoesNotMatchItsHashIsRefused() {
        EncodedRelease r = ReleaseCodec.encode(apis(1, 10, ""), "", "", 0, null);
        assertThatThrownBy(() -> ReleaseCodec.decode(r.manifest(), h -> ReleaseCodec.gzip("[]".getBytes())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("corrupt");
        assertThatThrownBy(() -> ReleaseCodec.decode(r.manifest(), h -> null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("missing");
    }

    @Test
    void snapshotFileRoundTrips(@TempDir Path dir) {
        ConfigSnapshot.Builder b = ConfigSnapshot.builder(9);
        b.put(ConfigKind.CACHE_RULES, new CacheRule(MetadataKind.APP, 5_000L, 120_000L, 30_000L, 600_000L, 10_000L, 0.001, null));
        ConfigSnapshot s = b.build();
        SnapshotFile.write(dir.resolve("r.json"), ReleaseCodec.encode(s, "m", "a", 1, null));
        ConfigSnapshot read = SnapshotFile.read(dir.resolve("r.json")).orElseThrow();
        assertThat(read.release()).isEqualTo(9);
        assertThat(read.sameContent(s)).isTrue();
        assertThat(SnapshotFile.read(dir.resolve("absent.json"))).isEmpty();
    }

    @Property(tries = 50)
    void encodeDecodeRoundTrips(@ForAll @IntRange(min = 0, max = 3000) int count, @ForAll @IntRange(min = 1, max = 1000) long release) {
        ConfigSnapshot s = apis(release, count, "/v" + count);
        EncodedRelease r = ReleaseCodec.encode(s, "m", "a", 0, null);
        ConfigSnapshot back = ReleaseCodec.decode(r.manifest(), r.blobs()::get);
        assertThat(back.release()).isEqualTo(release);
        assertThat(back.sameContent(s)).isTrue();
    }
}
