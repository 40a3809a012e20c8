package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.BrokerMessage;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Message ids from ZooKeeper blocks: disjoint across allocators, fresh after a restart, never past 2^53. */
class ZkMessageIdsTest {

    static final String PATH = "/topaz-test/broker/message-ids";

    TestingServer zk;
    final List<CuratorFramework> clients = new ArrayList<>();
    final ExecutorService executor = Executors.newCachedThreadPool();

    @BeforeEach
    void zk() throws Exception {
        zk = new TestingServer(true);
    }

    @AfterEach
    void close() throws Exception {
        executor.shutdownNow();
        clients.forEach(CuratorFramework::close);
        zk.close();
    }

    CuratorFramework client() {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .sessionTimeoutMs(10_000).connectionTimeoutMs(2_000).retryPolicy(new RetryOneTime(100)).build();
        c.start();
        clients.add(c);
        return c;
    }

    ZkMessageIds ids(CuratorFramework c, long block) {
        ZkMessageIds ids = new ZkMessageIds(c, PATH, block, executor, System::nanoTime);
        ids.start();
        await().atMost(Duration.ofSeconds(10)).until(ids::ready);
        return ids;
    }

    @Test
    void concurrentAllocatorsOnSeveralAgentsHandOutDisjointIds() throws Exception {
        List<ZkMessageIds> agents = List.of(ids(client(), 64), ids(client(), 64), ids(client(), 64));
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        int threadsPerAgent = 3;
        int perThread = 2_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> runs = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(agents.size() * threadsPerAgent);
        try {
            for (ZkMessageIds a : agents) {
                for (int t = 0; t < threadsPerAgent; t++) {
                    runs.add(callers.submit(() -> {
                        go.await();
                        int taken = 0;
                        while (taken < perThread) {
                            try {
                                long id = a.next();
                                assertThat(id).isBetween(1L, BrokerMessage.MAX_ID);
                                assertThat(seen.add(id)).as("id %d handed out twice", id).isTrue();
                                taken++;
                            } catch (BrokerException e) {
                                // a block of 64 goes fast: wait for the next one, as a producer would retry
                                assertThat(e.kind()).isEqualTo(BrokerException.Kind.UNAVAILABLE);
                                Thread.onSpinWait();
                            }
                        }
                        return taken;
                    }));
                }
            }
            go.countDown();
            for (Future<Integer> f : runs) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(perThread);
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(seen).hasSize(agents.size() * threadsPerAgent * perThread);
        long counter = Long.parseLong(new String(clients.get(0).getData().forPath(PATH), StandardCharsets.UTF_8));
        assertThat(seen).allMatch(id -> id < counter);
    }

    @Test
    void aRestartedAgentTakesAFreshBlock() throws Exception {
        CuratorFramework c = client();
        ZkMessageIds before = ids(c, 1_000);
        Set<Long> first = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            first.add(before.next());
        }
        ZkMessageIds after = ids(c, 1_000); // the same agent, restarted: its old block is abandoned
        long next = after.next();
        assertThat(first).allMatch(id -> id < next);
        assertThat(next).isGreaterThanOrEqualTo(1_001);
    }

    @Test
    void aUsedUpBlockWithZooKeeperDownIsUnavailableNotAReusedId() throws Exception {
        ZkMessageIds ids = ids(client(), 8);
        Set<Long> taken = new HashSet<>();
        // take the first block and let the prefetch of the second land
        for (int i = 0; i < 7; i++) {
            taken.add(ids.next());
        }
        await().atMost(Duration.ofSeconds(10)).until(ids::hasNextBlock);
        zk.stop();
        BrokerException refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            try {
                assertThat(taken.add(ids.next())).isTrue();
            } catch (BrokerException e) {
                refused = e;
            }
        }
        assertThat(refused).isNotNull();
        assertThat(refused.kind()).isEqualTo(BrokerException.Kind.UNAVAILABLE);
        assertThat(taken).hasSizeLessThanOrEqualTo(16); // the block held and the one prefetched, nothing more
    }

    @Test
    void refusesABlockThatWouldCross2To53() throws Exception {
        CuratorFramework c = client();
        long start = BrokerMessage.MAX_ID - 8; // room for one block of 8 ids: MAX_ID-8 … MAX_ID-1
        c.create().creatingParentsIfNeeded().forPath(PATH, Long.toString(start).getBytes(StandardCharsets.UTF_8));
        ZkMessageIds ids = ids(c, 8);
        List<Long> got = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            got.add(ids.next());
        }
        assertThat(got).allMatch(id -> id <= BrokerMessage.MAX_ID).first().isEqualTo(start);
        assertThatThrownBy(ids::next).isInstanceOfSatisfying(BrokerException.class,
                e -> assertThat(e.kind()).isEqualTo(BrokerException.Kind.UNAVAILABLE));
        // and later calls go on refusing: the counter was not moved past 2^53
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(ids::next)
                .hasMessageContaining("exhausted"));
        assertThat(Long.parseLong(new String(c.getData().forPath(PATH), StandardCharsets.UTF_8))).isEqualTo(start + 8);
    }
}
