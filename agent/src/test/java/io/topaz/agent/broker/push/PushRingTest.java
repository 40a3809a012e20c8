package io.topaz.agent.broker.push;

import io.topaz.agent.broker.QueueName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The push ring: every stored message's queue is dispatched, a burst is coalesced into one dispatch per queue per
 * batch, and a full ring never makes the storing thread wait — the event is dropped and counted.
 */
class PushRingTest {

    private static final QueueName A = new QueueName("app-a", "default");
    private static final QueueName B = new QueueName("app-b", "default");

    @Test
    void aBurstIntoOneQueueIsDispatchedOncePerBatch() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        List<QueueName> dispatched = new CopyOnWriteArrayList<>();
        try (PushRing ring = new PushRing(1024, q -> {
            dispatched.add(q);
            entered.countDown();
            try {
                held.await(10, TimeUnit.SECONDS); // the first dispatch holds the handler while the burst arrives
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            assertThat(ring.stored(1, List.of(A))).isTrue();
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            for (long id = 2; id <= 501; id++) {
                assertThat(ring.stored(id, id % 2 == 0 ? List.of(A) : List.of(A, B))).isTrue();
            }
            held.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.contains(B));
            await().atMost(Duration.ofSeconds(10)).until(() -> ring.batches() >= 2);
            assertThat(ring.published()).isEqualTo(501);
            assertThat(ring.full()).isZero();
            // 501 events, A in all of them: far fewer dispatches than events (one per queue per batch)
            assertThat(dispatched.stream().filter(A::equals).count()).isLessThan(50);
            assertThat(dispatched.size()).isLessThanOrEqualTo(2 * (int) ring.batches());
        }
    }

    @Test
    void aFullRingDropsTheAnnouncementWithoutWaitingAndCountsIt() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Set<QueueName> dispatched = ConcurrentHashMap.newKeySet();
        try (PushRing ring = new PushRing(4, q -> {
            dispatched.add(q);
            entered.countDown();
            try {
                held.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            ring.stored(1, List.of(A));
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            int accepted = 0;
            // the handler is held on event 1, whose slot stays taken until its batch ends: 3 slots free, then full
            for (long id = 2; id <= 20; id++) {
                if (ring.stored(id, List.of(B))) {
                    accepted++;
                }
            }
            assertThat(accepted).isEqualTo(3);
            assertThat(ring.full()).isEqualTo(16);
            held.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.contains(B));
            assertThat(ring.stored(21, List.of(A))).as("room again once the handler caught up").isTrue();
        }
    }

    @Test
    void afterCloseNothingIsPublished() {
        PushRing ring = new PushRing(8, q -> { });
        ring.close();
        assertThat(ring.stored(1, List.of(A))).isFalse();
        ring.close(); // twice is fine
    }
}
