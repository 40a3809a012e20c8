package io.topaz.agent.metadata;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.MetadataEvent;
import io.topaz.model.metadata.SessionKeys;
import io.topaz.model.metadata.SessionMetadata;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;
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

    /**
     * A session issued a moment ago (an OAuth exchange) is valid on its first use though its CREATED event has not
     * arrived: the key filter does not know it, and the cache asks the control plane once. A session looked up before
     * it existed is remembered as absent, and its CREATED event drops that miss.
     */
    @Test
    void aNewSessionIsValidBeforeItsEventArrivesAndItsEventDropsACachedMiss() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        FakeSource source = new FakeSource();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MetadataClient client = new MetadataClient(source, SharedCache.none(), null, null, Clock.systemUTC(),
                new FakeTicker(), executor, registry).start()) {
            client.sessions().refreshFilter().get(10, TimeUnit.SECONDS);
            assertThat(client.sessions().hasFilter()).isTrue();

            String issued = "6100a1b2c3d4e5f6issued";
            String hash = SessionKeys.hash(issued);
            source.sessions.put(hash, new SessionMetadata(hash, "app", "3100000004", "seller", List.of(),
                    Long.MAX_VALUE, false, 1));
            assertThat(client.checkSession("app", issued).get(10, TimeUnit.SECONDS).ok()).isTrue();
            assertThat(registry.get("topaz.metadata.filter.miss.found").tag("kind", "session").counter().count())
                    .isEqualTo(1);

            String early = "6100a1b2c3d4e5f6early";
            String earlyHash = SessionKeys.hash(early);
            SessionCheck before = client.checkSession("app", early).get(10, TimeUnit.SECONDS);
            assertThat(before.outcome().topCode()).isEqualTo(27);
            source.sessions.put(earlyHash, new SessionMetadata(earlyHash, "app", "3100000004", "seller", List.of(),
                    Long.MAX_VALUE, false, 1));
            assertThat(client.checkSession("app", early).get(10, TimeUnit.SECONDS).ok())
                    .as("the cached miss answers within the negative TTL").isFalse();
            client.onEvent(new MetadataEvent(1, MetadataEvent.Type.CREATED, MetadataKind.SESSION, earlyHash, 1, 0));
            assertThat(client.checkSession("app", early).get(10, TimeUnit.SECONDS).ok()).isTrue();
            assertThat(source.loads(earlyHash)).isEqualTo(2);
        } finally {
            executor.shutdownNow();
        }
    }

    /** TMC_USER and TMC_GROUPS events drop the cached seller and app groups; a gap drops them all. */
    @Test
    void messageServiceEventsInvalidateTheirOwnCaches() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        FakeSource source = new FakeSource();
        String user = "3100000002";
        source.tmcUsers.put(user, new TmcUser(3100000002L, "seller", List.of(), 1));
        source.tmcGroups.put("app", new TmcGroups("app", List.of("vip"), 1));
        source.tmcNicks.put("seller", user);
        try (MetadataClient client = new MetadataClient(source, SharedCache.none(), null, null, Clock.systemUTC(),
                new FakeTicker(), executor, new SimpleMeterRegistry()).start()) {
            assertThat(client.tmcUsers().get(user).get(10, TimeUnit.SECONDS)).isPresent();
            assertThat(client.tmcGroups().get("app").get(10, TimeUnit.SECONDS).orElseThrow().exists("vip")).isTrue();
            assertThat(client.tmcUserByNick("seller").get(10, TimeUnit.SECONDS).orElseThrow().userId())
                    .isEqualTo(3100000002L);
            assertThat(client.tmcUserByNick("nobody").get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(source.tmcLoads("TMC_USER", user)).as("the nick lookup found the cached seller").isEqualTo(1);

            source.tmcUsers.put(user, new TmcUser(3100000002L, "seller", List.of(new TmcUser.Permit("app", List.of(),
                    true, "vip", 0, 0)), 2));
            client.onEvent(new MetadataEvent(1, MetadataEvent.Type.CHANGED, MetadataKind.TMC_USER, user, 2, 0));
            assertThat(client.tmcUsers().get(user).get(10, TimeUnit.SECONDS).orElseThrow().permits()).hasSize(1);
            assertThat(source.tmcLoads("TMC_USER", user)).isEqualTo(2);
            assertThat(source.tmcLoads("TMC_GROUPS", "app")).as("a user's event leaves app groups cached").isEqualTo(1);

            source.tmcGroups.put("app", new TmcGroups("app", List.of(), 2));
            client.onEvent(new MetadataEvent(2, MetadataEvent.Type.CHANGED, MetadataKind.TMC_GROUPS, "app", 2, 0));
            assertThat(client.tmcGroups().get("app").get(10, TimeUnit.SECONDS).orElseThrow().exists("vip")).isFalse();

            client.onGap();
            client.tmcUsers().get(user).get(10, TimeUnit.SECONDS);
            client.tmcGroups().get("app").get(10, TimeUnit.SECONDS);
            assertThat(source.tmcLoads("TMC_USER", user)).isEqualTo(3);
            assertThat(source.tmcLoads("TMC_GROUPS", "app")).isEqualTo(3);
        } finally {
            executor.shutdownNow();
        }
    }

    /** A sync target's password event reaches the sync listeners with its name, and no cache; a gap reaches them with null. */
    @Test
    void syncTargetEventsReachTheSyncListenersOnly() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        FakeSource source = new FakeSource();
        String key = "3100000003";
        source.sessions.put(key, new SessionMetadata(key, "app", key, "seller", List.of(), Long.MAX_VALUE, false, 1));
        List<String> heard = new java.util.ArrayList<>();
        try (MetadataClient client = new MetadataClient(source, SharedCache.none(), null, null, Clock.systemUTC(),
                new FakeTicker(), executor, new SimpleMeterRegistry()).start()) {
            client.onSyncTargetChange(heard::add);
            client.sessions().get(key).get(10, TimeUnit.SECONDS);
            client.onEvent(new MetadataEvent(1, MetadataEvent.Type.CHANGED, MetadataKind.SYNC_TARGET, key, 2, 0));
            client.sessions().get(key).get(10, TimeUnit.SECONDS);
            assertThat(source.loads(key)).as("a password event keyed like a session drops no session").isEqualTo(1);
            client.onGap();
            assertThat(heard).containsExactly(key, null);
        } finally {
            executor.shutdownNow();
        }
    }
}
