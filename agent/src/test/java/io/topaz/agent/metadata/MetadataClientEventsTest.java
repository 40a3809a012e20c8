package io.topaz.agent.metadata;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.MetadataEvent;
import io.topaz.model.metadata.SessionMetadata;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Metadata events reach the cache of their own kind, and only that one. */
class MetadataClientEventsTest {

    @Test
    void messageServiceEventsLeaveTheSessionCacheAlone() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        FakeSource source = new FakeSource();
        String key = "3100000001";
        source.sessions.put(key, new SessionMetadata(key, "app", "3100000001", "seller", List.of(),
                Long.MAX_VALUE, false, 1));
        try (MetadataClient client = new MetadataClient(source, SharedCache.none(), null, null, Clock.systemUTC(),
                new FakeTicker(), executor, new SimpleMeterRegistry()).start()) {
            assertThat(client.sessions().get(key).get(10, TimeUnit.SECONDS)).isPresent();
            assertThat(source.loads(key)).isEqualTo(1);

            // A seller's permits changed: keyed by the same user id, but not a session.
            client.onEvent(new MetadataEvent(7, MetadataEvent.Type.CHANGED, MetadataKind.TMC_USER, key, 99, 0));
            client.onEvent(new MetadataEvent(8, MetadataEvent.Type.CHANGED, MetadataKind.TMC_GROUPS, key, 99, 0));
            assertThat(client.sessions().get(key).get(10, TimeUnit.SECONDS)).isPresent();
            assertThat(source.loads(key)).as("the cached session was not dropped").isEqualTo(1);

            // A session event still invalidates the session.
            client.onEvent(new MetadataEvent(9, MetadataEvent.Type.CHANGED, MetadataKind.SESSION, key, 99, 0));
            assertThat(client.sessions().get(key).get(10, TimeUnit.SECONDS)).isPresent();
            assertThat(source.loads(key)).isEqualTo(2);
        } finally {
            executor.shutdownNow();
        }
    }
}
