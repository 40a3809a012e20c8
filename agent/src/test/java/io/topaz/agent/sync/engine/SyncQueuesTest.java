package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.QueueName;
import io.topaz.agent.sync.BucketRange;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.SyncTarget;
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

    @Test
    void aTradeMessageGoesToEachTargetsGroupCoveringTheSellersBucket() {
        long seller = 1001;
        int bucket = SellerGroup.bucketOf(Long.toString(seller));
        SyncConfig config = new SyncConfig(List.of(target("erp", List.of("low", "high")),
                target("shop", List.of("all")), target("other", List.of("high"))),
                Map.of("low", new BucketRange(0, bucket + 1), "high", new BucketRange(bucket + 1, 1024),
                        "all", new BucketRange(0, 1024)), Map.of());

        assertThat(SyncQueues.route(config, "taobao_trade_TradeChanged", seller))
                .containsExactlyInAnyOrder(new QueueName("__sync.erp", "low"), new QueueName("__sync.shop", "all"));
        assertThat(SyncQueues.route(config, "taobao_item_ItemUpdate", seller)).isEmpty();
    }

    @Test
    void aReleaseWithoutSyncTargetsRoutesNothing() {
        assertThat(SyncQueues.route(ConfigSnapshot.empty(), "taobao_trade_TradeCreate", 5)).isEmpty();
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
