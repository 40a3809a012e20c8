package io.topaz.agent.tmc;

import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.Subscription;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-app backlog cap follows the live release: the subscription's maxBacklog, else the platform default. */
class BacklogCapsTest {

    @Test
    void theCapComesFromTheLiveSubscriptionElseTheDefault() {
        AtomicReference<ConfigSnapshot> live = new AtomicReference<>(ConfigSnapshot.builder(1)
                .put(ConfigKind.SUBSCRIPTIONS, new Subscription("capped", List.of("taobao_trade_TradeCreate"), 5_000L))
                .put(ConfigKind.SUBSCRIPTIONS, new Subscription("free", List.of("taobao_trade_TradeCreate")))
                .build());
        BacklogCaps caps = new BacklogCaps(live::get, BacklogCaps.UNLIMITED);
        assertThat(caps.applyAsLong("capped")).isEqualTo(5_000);
        assertThat(caps.applyAsLong("free")).isEqualTo(BacklogCaps.UNLIMITED);
        assertThat(caps.applyAsLong("unsubscribed")).isEqualTo(BacklogCaps.UNLIMITED);

        live.set(ConfigSnapshot.builder(2).put(ConfigKind.SUBSCRIPTIONS, new Subscription("capped",
                List.of("taobao_trade_TradeCreate"), 2_000L)).build());
        assertThat(caps.applyAsLong("capped")).as("a new release applies at once").isEqualTo(2_000);
        assertThat(new BacklogCaps(live::get, 1_000_000).applyAsLong("free")).isEqualTo(1_000_000);
        assertThatThrownBy(() -> new BacklogCaps(live::get, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
