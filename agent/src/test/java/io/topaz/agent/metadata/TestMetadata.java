package io.topaz.agent.metadata;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.model.config.AppStatus;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.AppSecret;

import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/** A metadata client over an in-memory source, for tests of the engines that use it (the gateway). */
public final class TestMetadata {

    private TestMetadata() {
    }

    /**
     * A started client like {@link #withApp}, whose source holds every answer until {@code sourceAnswers} completes:
     * the answer then arrives on the thread that completes it, as it does on a Lettuce or metadata thread.
     */
    public static MetadataClient withAppAnsweringWhen(String appKey, String secret, List<String> groups,
                                                      Executor executor, CompletableFuture<Void> sourceAnswers) {
        FakeSource source = source(appKey, secret, groups);
        source.gate = sourceAnswers;
        return new MetadataClient(source, SharedCache.none(), null, null, Clock.systemUTC(), new FakeTicker(), executor,
                new SimpleMeterRegistry()).start();
    }

    /**
     * A started client like {@link #withApp} with the real Redis as L2 (under {@code prefix}) and a ticker that moves
     * {@code perRead} each time it is read: every lookup finds its entry expired or gone, so each one is reloaded
     * through L2, and the answer arrives on a Lettuce thread. Returns once L2 is connected; closing the client closes
     * the L2 connection.
     */
    public static MetadataClient withAppOnRedis(String appKey, String secret, List<String> groups, Executor executor,
                                                String redisUri, String prefix, Duration perRead,
                                                MeterRegistry registry) {
        RedisSharedCache l2 = new RedisSharedCache(redisUri, prefix);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(l2::connected);
        AtomicLong nanos = new AtomicLong();
        long step = perRead.toNanos();
        return new MetadataClient(source(appKey, secret, groups), l2, null, null, Clock.systemUTC(),
                () -> nanos.addAndGet(step), executor, registry).start();
    }

    private static FakeSource source(String appKey, String secret, List<String> groups) {
        FakeSource source = new FakeSource();
        source.apps.put(appKey, new AppMetadata(appKey, "test app", "isv", AppStatus.ACTIVE, groups,
                List.of(new AppSecret(secret, null)), 1, 0));
        return source;
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
