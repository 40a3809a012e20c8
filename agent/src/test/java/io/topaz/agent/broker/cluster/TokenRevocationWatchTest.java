package io.topaz.agent.broker.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import com.sun.net.httpserver.HttpServer;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A token revoked at the control plane is refused by the agent at once, not when its cached answer expires: the
 * control plane bumps {@code token-revocations} in ZooKeeper and the agent, watching it, drops its cached answers.
 * The cache here lives an hour, so only the watch can make the agent ask again.
 */
class TokenRevocationWatchTest {

    @Test
    void aBumpOfTheRevocationsNodeMakesTheNextCheckAskTheControlPlane() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        AtomicBoolean revoked = new AtomicBoolean();
        HttpServer controlPlane = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        controlPlane.createContext("/api/v1/me", ex -> {
            try (ex) {
                asked.incrementAndGet();
                byte[] body = (revoked.get() ? "{\"error\":\"revoked\"}" : "{\"name\":\"ops\",\"role\":\"ADMIN\"}")
                        .getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(revoked.get() ? 401 : 200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        controlPlane.start();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        ZkLayout layout = new ZkLayout("/topaz-revocations");
        try (TestingServer zk = new TestingServer();
             CuratorFramework controlPlaneZk = client(zk);
             CuratorFramework agentZk = client(zk)) {
            ControlPlaneAuth auth = new ControlPlaneAuth("http://127.0.0.1:" + controlPlane.getAddress().getPort(),
                    executor, Duration.ofHours(1), Ticker.systemTicker());
            try (TokenRevocationWatch watch = new TokenRevocationWatch(agentZk, layout, auth).start()) {
                assertThat(auth.caller("tpz_ops").get(10, TimeUnit.SECONDS))
                        .contains(new ControlPlaneAuth.Caller("ops", "ADMIN"));
                assertThat(auth.caller("tpz_ops").get(10, TimeUnit.SECONDS)).isPresent();
                assertThat(asked.get()).as("the second check is answered from the cache").isEqualTo(1);

                revoked.set(true); // the control plane revokes the token and bumps the node (here: created)
                controlPlaneZk.create().creatingParentsIfNeeded().forPath(layout.tokenRevocations(),
                        "1".getBytes(StandardCharsets.UTF_8));
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        auth.caller("tpz_ops").get(10, TimeUnit.SECONDS).isEmpty());
                int afterFirst = asked.get();

                revoked.set(false); // a token of the same value issued again, and another revocation: a change
                controlPlaneZk.setData().forPath(layout.tokenRevocations(), "2".getBytes(StandardCharsets.UTF_8));
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        auth.caller("tpz_ops").get(10, TimeUnit.SECONDS).equals(
                                Optional.of(new ControlPlaneAuth.Caller("ops", "ADMIN"))));
                assertThat(asked.get()).isGreaterThan(afterFirst);
            }
        } finally {
            controlPlane.stop(0);
            executor.shutdownNow();
        }
    }

    private static CuratorFramework client(TestingServer zk) {
        CuratorFramework c = CuratorFrameworkFactory.newClient(zk.getConnectString(),
                new ExponentialBackoffRetry(100, 3));
        c.start();
        return c;
    }
}
