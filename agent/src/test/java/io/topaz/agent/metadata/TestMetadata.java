package io.topaz.agent.metadata;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.model.config.AppStatus;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.AppSecret;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;

/** A metadata client over an in-memory source, for tests of the engines that use it (the gateway). */
public final class TestMetadata {

    private TestMetadata() {
    }

    /** A started client that knows one active app with one secret and these API groups. */
    public static MetadataClient withApp(String appKey, String secret, List<String> groups, Executor executor) {
        FakeSource source = new FakeSource();
        source.apps.put(appKey, new AppMetadata(appKey, "test app", "isv", AppStatus.ACTIVE, groups,
                List.of(new AppSecret(secret, null)), 1, 0));
        return new MetadataClient(source, SharedCache.none(), null, null, Clock.systemUTC(), new FakeTicker(), executor,
                new SimpleMeterRegistry()).start();
    }
}
