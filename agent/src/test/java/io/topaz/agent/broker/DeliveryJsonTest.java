package io.topaz.agent.broker;

import io.topaz.model.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a delivery's content lies on this agent's disk never travels to another agent (the consume answer's JSON). */
class DeliveryJsonTest {

    @Test
    void theContentFileIsNotPartOfTheJson() {
        BrokerMessage m = new BrokerMessage(42, "topic", "producer", 1_000, 7, "nick", "{\"a\":1}", 0);
        Delivery d = new Delivery(m, 2, new ContentFile(Path.of("/data/broker/log/00000001.data"), 100, 7));
        byte[] json = Json.write(d);
        assertThat(new String(json, StandardCharsets.UTF_8)).doesNotContain("contentFile").doesNotContain("/data");
        Delivery back = Json.read(json, Delivery.class);
        assertThat(back.message()).isEqualTo(m);
        assertThat(back.attempt()).isEqualTo(2);
        assertThat(back.contentFile()).isNull();
    }
}
