package io.topaz.agent.gateway;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.metadata.TestMetadata;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.top.SignMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The security stage hands the pipeline back to the call's event loop after waiting for the metadata cache. */
class SecurityStageTest {

    final ExecutorService executor = Executors.newFixedThreadPool(2);
    final EventLoop loop = new DefaultEventLoop();
    final CompletableFuture<Void> sourceAnswers = new CompletableFuture<>();
    final MetadataClient metadata = TestMetadata.withAppAnsweringWhen("app", "secret", List.of("basic"), executor,
            sourceAnswers);

    @AfterEach
    void close() throws Exception {
        metadata.close();
        executor.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    Call call(String method) {
        Call c = new Call("req-1", 0, ConfigSnapshot.builder(1).build(), loop, Map.of("method", method));
        c.method = method;
        c.appKey = "app";
        c.signMethod = SignMethod.HMAC;
        c.sign = "00"; // wrong: the stage answers 25 once the app is known
        return c;
    }

    @Test
    void afterAMetadataMissThePipelineGoesOnOnTheCallsEventLoop() throws Exception {
        CompletableFuture<TopError> verdict = loop.submit(() -> new SecurityStage(metadata).apply(call("a.b.c")))
                .get(10, TimeUnit.SECONDS);
        // what the pipeline does next, attached as GatewayPipeline attaches its next stage
        CompletableFuture<Thread> next = verdict.thenApply(error -> {
            assertThat(error.code()).isEqualTo(25);
            return Thread.currentThread();
        });
        assertThat(next).isNotDone(); // the app is not cached: the stage waits for the source
        sourceAnswers.complete(null); // the source answers on this thread, as Lettuce's would on its own
        assertThat(loop.inEventLoop(next.get(10, TimeUnit.SECONDS))).isTrue();

        // a hit needs no hop: decided at once, on the caller's thread
        CompletableFuture<TopError> cached = new SecurityStage(metadata).apply(call("a.b.c"));
        assertThat(cached).isDone();
        assertThat(cached.join().code()).isEqualTo(25);
    }
}
