package io.topaz.model;

import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.json.Json;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.ReleaseCodec;
import io.topaz.model.release.SnapshotFile;
import io.topaz.model.validation.FieldError;
import io.topaz.model.validation.ReleaseValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Sync targets as a config kind: registration, validation, the publish cross-check, releases old and new. */
class SyncTargetConfigTest {

    private static SyncTarget target(String name, String... groups) {
        return new SyncTarget(name, "demo-app", "jdbc:mariadb://127.0.0.1:3306/topaz_jdp", "root", List.of(groups),
                null, null, null, null, null, null);
    }

    @Test
    void syncTargetsAreAConfigKindNamedForRestAndZooKeeper() {
        assertThat(ConfigKind.byName("sync-targets")).containsSame(ConfigKind.SYNC_TARGETS);
        assertThat(ConfigKind.SYNC_TARGETS.displayName()).isEqualTo("sync target");
        assertThat(ConfigKind.SYNC_TARGETS.type()).isEqualTo(SyncTarget.class);
        assertThat(ConfigKind.all()).last().isSameAs(ConfigKind.SYNC_TARGETS);
    }

    @Test
    void aSyncTargetsPasswordEventKindIsNoCacheRuleKind() {
        assertThat(new io.topaz.model.config.CacheRule(io.topaz.model.config.MetadataKind.SYNC_TARGET, null, null, null,
                null, null, null, null).validate()).extracting(FieldError::field).containsExactly("kind");
        assertThat(io.topaz.model.config.MetadataKind.SYNC_TARGET.filtered()).isFalse();
    }

    @Test
    void aTargetWhoseUrlCarriesAPasswordIsRefusedWithoutEchoingIt() {
        SyncTarget bad = new SyncTarget("t1", "demo-app", "jdbc:postgresql://db/x?password=hunter2", "u", List.of("g1"),
                null, null, null, null, null, null);
        assertThat(bad.validate()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("jdbcUrl");
            assertThat(e.value()).doesNotContain("hunter2");
            assertThat(e.rule()).contains("PUT /api/v1/sync-targets/t1/password");
        });
    }

    @Test
    void aTargetNamingAMissingSellerGroupIsRefusedAtPublish() {
        ConfigSnapshot s = ConfigSnapshot.builder(1)
                .put(ConfigKind.SELLER_GROUPS, new SellerGroup("g1", null, 0, 512))
                .put(ConfigKind.SYNC_TARGETS, target("erp", "g1", "g2"))
                .build();
        List<FieldError> errors = ReleaseValidator.validate(s);
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("sync-targets['erp'].sellerGroups[1]");
            assertThat(e.value()).isEqualTo("g2");
            assertThat(e.rule()).isEqualTo("must name an existing seller group");
        });
        ConfigSnapshot fixed = ConfigSnapshot.builder(2)
                .put(ConfigKind.SELLER_GROUPS, new SellerGroup("g1", null, 0, 512))
                .put(ConfigKind.SELLER_GROUPS, new SellerGroup("g2", null, 512, 1024))
                .put(ConfigKind.SYNC_TARGETS, target("erp", "g1", "g2"))
                .build();
        assertThat(ReleaseValidator.validate(fixed)).isEmpty();
    }

    @Test
    void syncTargetsRoundTripThroughJsonAndReleasesWithTheirDefaults() {
        SyncTarget read = Json.strict().readValue(("{\"name\":\"erp\",\"appKey\":\"demo-app\",\"jdbcUrl\":"
                + "\"jdbc:h2:tcp://127.0.0.1/jdp\",\"user\":\"sa\",\"sellerGroups\":[\"g1\"]}").getBytes(), SyncTarget.class);
        assertThat(read.maxConnections()).isEqualTo(4);
        assertThat(read.mergeWindowMillis()).isEqualTo(100);
        assertThat(read.reconcileSeconds()).isEqualTo(30);
        assertThat(read.backfillDays()).isEqualTo(90);
        assertThat(read.purgeWindow()).isEqualTo("02:00-05:00");
        assertThat(read.validate()).isEmpty();

        ConfigSnapshot s = ConfigSnapshot.builder(5).put(ConfigKind.SELLER_GROUPS, new SellerGroup("g1", null, 0, 1024))
                .put(ConfigKind.SYNC_TARGETS, read).build();
        EncodedRelease r = ReleaseCodec.encode(s, "m", "a", 0, null);
        assertThat(r.manifest().kinds()).containsOnlyKeys("seller-groups", "sync-targets");
        ConfigSnapshot back = ReleaseCodec.decode(r.manifest(), r.blobs()::get);
        assertThat(back.sameContent(s)).isTrue();
        assertThat(back.syncTargets()).containsEntry("erp", read);
    }

    @Test
    void aReleaseWrittenBeforeSyncTargetsStillDecodesAndReencodesToTheSameBlobs(@TempDir Path dir) throws Exception {
        // written by the build before sync targets were a kind (release 12: a seller group, a topic, a subscription)
        Path file = dir.resolve("release.json");
        try (InputStream in = getClass().getResourceAsStream("/releases/release-before-sync-targets.json")) {
            Files.write(file, in.readAllBytes());
        }
        ConfigSnapshot old = SnapshotFile.read(file).orElseThrow();
        assertThat(old.release()).isEqualTo(12);
        assertThat(old.items(ConfigKind.SELLER_GROUPS)).containsOnlyKeys("sellers-a");
        assertThat(old.topics()).containsOnlyKeys("taobao_trade_TradeChanged");
        assertThat(old.subscriptions()).containsOnlyKeys("demo-app");
        assertThat(old.syncTargets()).isEmpty();
        EncodedRelease again = ReleaseCodec.encode(old, "again", "test", 0, null);
        assertThat(again.manifest().kinds()).doesNotContainKey("sync-targets");
        String stored = Files.readString(file);
        again.manifest().kinds().values().forEach(k -> k.blobs().forEach(h -> assertThat(stored).contains(h)));
    }
}
