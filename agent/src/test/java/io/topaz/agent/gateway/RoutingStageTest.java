package io.topaz.agent.gateway;

import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.UpstreamEndpoint;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Routing state follows the releases: what a release removed is forgotten. */
class RoutingStageTest {

    static final String A1 = "http://10.0.0.1:8080/a";
    static final String A2 = "http://10.0.0.2:8080/a";
    static final String B1 = "http://10.0.0.3:8080/b";

    final AtomicLong nanos = new AtomicLong();
    final UpstreamHealth health = new UpstreamHealth(2, Duration.ofSeconds(30), nanos::get);
    final RoutingStage routing = new RoutingStage(health);

    static ApiDefinition api(String method, String... urls) {
        return new ApiDefinition(method, "basic", java.util.Arrays.stream(urls).map(u -> new UpstreamEndpoint(u, 100))
                .toList(), 3000, false, List.of());
    }

    static ConfigSnapshot release(long n, ApiDefinition... apis) {
        ConfigSnapshot.Builder b = ConfigSnapshot.builder(n);
        for (ApiDefinition a : apis) {
            b.put(ConfigKind.APIS, a);
        }
        return b.build();
    }

    String route(ConfigSnapshot config, String method) {
        Call call = new Call("req", 0, config, null, Map.of());
        call.method = method;
        call.api = config.apis().get(method);
        assertThat(routing.apply(call).join()).isNull();
        return call.endpoint.url();
    }

    @Test
    void anApiAndInstancesThatAReleaseRemovedAreForgotten() {
        ConfigSnapshot first = release(1, api("taobao.a.get", A1, A2), api("taobao.b.get", B1));
        route(first, "taobao.a.get");
        route(first, "taobao.b.get");
        health.failure(A2);
        health.failure(B1);
        health.failure(B1); // ejected
        assertThat(routing.rotatedApis()).containsExactlyInAnyOrder("taobao.a.get", "taobao.b.get");
        assertThat(health.tracked()).containsExactlyInAnyOrder(A2, B1);

        ConfigSnapshot second = release(2, api("taobao.a.get", A1));
        assertThat(route(second, "taobao.a.get")).isEqualTo(A1);
        assertThat(routing.rotatedApis()).containsExactly("taobao.a.get");
        assertThat(health.tracked()).isEmpty();

        // an API back in a later release starts afresh: its instance is not ejected any more
        ConfigSnapshot third = release(3, api("taobao.a.get", A1), api("taobao.b.get", B1));
        assertThat(health.healthy(B1)).isTrue();
        assertThat(route(third, "taobao.b.get")).isEqualTo(B1);
        assertThat(routing.rotatedApis()).containsExactlyInAnyOrder("taobao.a.get", "taobao.b.get");
    }
}
