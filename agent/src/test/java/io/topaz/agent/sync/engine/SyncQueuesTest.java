package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.QueueName;
import io.topaz.agent.sync.BucketRange;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.SellerGroups;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.metadata.TmcUser;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SyncQueuesTest {

    private static SyncTarget target(String name, List<String> groups) {
        return new SyncTarget(name, "12345678", "jdbc:mariadb://h/db", "u", groups, null, null, null, null, null,
                null);
    }

    private static TmcUser seller(long id, String... apps) {
        List<TmcUser.Permit> permits = new java.util.ArrayList<>();
        for (String app : apps) {
            permits.add(new TmcUser.Permit(app, List.of("taobao_trade_TradeClose"), false, "vip", 0, 0));
        }
        return new TmcUser(id, "nick" + id, permits, 1);
    }

    @Test
    void aTradeMessageGoesToTheGroupOfEachTargetWhoseAppTheSellerPermitted() {
        long seller = 1001;
        int bucket = SellerGroup.bucketOf(Long.toString(seller));
        SyncConfig config = new SyncConfig(List.of(target("erp", List.of("low", "high")),
                target("shop", List.of("low")), target("other", List.of("high")),
                new SyncTarget("crm", "87654321", "jdbc:mariadb://h/db", "u", List.of("low"), null, null, null, null,
                        null, null)),
                Map.of("low", new BucketRange(0, bucket + 1), "high", new BucketRange(bucket + 1, 1024)), Map.of());

        // a permit of app 12345678 (for whatever topics: a JDP authorization is per app), none of 87654321
        assertThat(SyncQueues.route(config, "taobao_trade_TradeChanged", seller(seller, "12345678")))
                .containsExactlyInAnyOrder(new QueueName("__sync.erp", "low"), new QueueName("__sync.shop", "low"));
        assertThat(SyncQueues.route(config, "taobao_trade_TradeChanged", seller(seller, "12345678", "87654321")))
                .contains(new QueueName("__sync.crm", "low"));
        assertThat(SyncQueues.route(config, "taobao_trade_TradeChanged", seller(seller))).isEmpty();
        assertThat(SyncQueues.route(config, "taobao_trade_TradeChanged", seller(seller, "99999999"))).isEmpty();
        assertThat(SyncQueues.route(config, "taobao_item_ItemUpdate", seller(seller, "12345678"))).isEmpty();
    }

    @Test
    void aPinnedSellerGoesToItsPinGroupOnlyAndOnlyForTargetsSyncingThePin() {
        long pinned = 1001;
        SyncConfig config = new SyncConfig(List.of(target("erp", List.of("all", "hot")), target("shop", List.of("all"))),
                Map.of("all", new BucketRange(0, 1024)), Map.of(), Map.of(), Map.of(pinned, "hot"));
        assertThat(config.groupOf(pinned)).contains("hot");
        assertThat(config.groupOf(1002)).contains("all");
        assertThat(config.isPin("hot")).isTrue();
        assertThat(config.hasGroup("hot")).isTrue();
        assertThat(SyncQueues.route(config, "taobao_trade_TradeChanged", seller(pinned, "12345678")))
                .containsExactly(new QueueName("__sync.erp", "hot")); // shop syncs no pin of it: not at all
        assertThat(SyncQueues.route(config, "taobao_trade_TradeChanged", seller(1002, "12345678")))
                .containsExactlyInAnyOrder(new QueueName("__sync.erp", "all"), new QueueName("__sync.shop", "all"));
    }

    @Test
    void aReleasesPinsAreTakenAsSellerGroupsGroupOfTakesThem() {
        SellerGroup range = new SellerGroup("all", "", 0, 1024);
        SellerGroup pin = SellerGroup.pin("hot", "", List.of(1001L, 1003L));
        ConfigSnapshot release = ConfigSnapshot.builder(1).put(ConfigKind.SELLER_GROUPS, range)
                .put(ConfigKind.SELLER_GROUPS, pin)
                .putUnchecked(ConfigKind.byName(SyncConfig.KIND).orElseThrow(), target("erp", List.of("all", "hot")))
                .build();
        SyncConfig config = SyncConfig.of(release);
        for (long s : List.of(1001L, 1002L, 1003L, 1004L)) {
            assertThat(config.groupOf(s)).contains(SellerGroups.groupOf(release, s).orElseThrow().name());
        }
    }

    @Test
    void aReleaseWithoutSyncTargetsRoutesNothing() {
        assertThat(SyncQueues.route(ConfigSnapshot.empty(), "taobao_trade_TradeCreate", seller(5, "12345678")))
                .isEmpty();
    }

    @Test
    void purgeWindowsMayWrapMidnight() {
        PurgeWindow night = PurgeWindow.parse("23:00-02:00");
        assertThat(night.contains(Instant.parse("2026-01-01T23:30:00Z"))).isTrue();
        assertThat(night.contains(Instant.parse("2026-01-01T01:59:59Z"))).isTrue();
        assertThat(night.contains(Instant.parse("2026-01-01T02:00:00Z"))).isFalse();
        PurgeWindow day = PurgeWindow.parse("02:00-05:00");
        assertThat(day.from()).isEqualTo(LocalTime.of(2, 0));
        assertThat(day.contains(Instant.parse("2026-01-01T03:00:00Z"))).isTrue();
        assertThat(day.contains(Instant.parse("2026-01-01T05:00:00Z"))).isFalse();
    }
}
