package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.BrokerMessage;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TradeChangeTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    private static BrokerMessage message(String content, long dataId) {
        return new BrokerMessage(5, "taobao_trade_TradeChanged", "platform", 0, 42, "shop", content, dataId);
    }

    @Test
    void takesTheTidFromTheDataIdOrTheContent() throws Exception {
        assertThat(TradeChange.of(message("{\"tid\":9}", 123), SHANGHAI).tid()).isEqualTo(123);
        assertThat(TradeChange.of(message("{\"tid\":9}", 0), SHANGHAI).tid()).isEqualTo(9);
        assertThat(TradeChange.of(message("{\"tid\":\"77\"}", 0), SHANGHAI).tid()).isEqualTo(77);
    }

    @Test
    void readsModifiedInTheFormatsPublishersUse() throws Exception {
        long at = Instant.parse("2026-03-01T04:05:06.789Z").toEpochMilli();
        assertThat(TradeChange.of(message("{\"tid\":1,\"modified\":" + at + "}", 0), SHANGHAI).modifiedMillis())
                .isEqualTo(at);
        assertThat(TradeChange.of(message("{\"tid\":1,\"modified\":\"2026-03-01T04:05:06.789Z\"}", 0), SHANGHAI)
                .modifiedMillis()).isEqualTo(at);
        assertThat(TradeChange.of(message("{\"tid\":1,\"modified\":\"2026-03-01 12:05:06.789\"}", 0), SHANGHAI)
                .modifiedMillis()).isEqualTo(at);
        assertThat(TradeChange.of(message("{\"tid\":1,\"modified\":\"yesterday\"}", 0), SHANGHAI).modifiedMillis())
                .isZero();
        assertThat(TradeChange.of(message("{\"tid\":1}", 0), SHANGHAI).modifiedMillis()).isZero();
    }

    @Test
    void malformedContentIsRefusedWithTheReason() {
        assertThatThrownBy(() -> TradeChange.of(message("not json", 0), SHANGHAI))
                .isInstanceOf(TradeChange.Malformed.class).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> TradeChange.of(message("{\"tid\":-3}", 0), SHANGHAI))
                .isInstanceOf(TradeChange.Malformed.class).hasMessageContaining("no tid");
        assertThatThrownBy(() -> TradeChange.of(message("{\"seller_nick\":\"x\"}", 0), SHANGHAI))
                .isInstanceOf(TradeChange.Malformed.class).hasMessageContaining("message 5");
    }
}
