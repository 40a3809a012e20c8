package io.topaz.agent.gateway.upstream;

import com.sun.net.httpserver.HttpServer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Each call runs on the event loop it is given: the answer arrives there, with no hand-off to another loop. */
class UpstreamClientTest {

    private HttpServer upstream;
    private EventLoopGroup group;
    private UpstreamClient client;

    @BeforeEach
    void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        upstream.createContext("/", ex -> {
            byte[] body = ("{\"path\":\"" + ex.getRequestURI() + "\",\"host\":\"" + ex.getRequestHeaders().getFirst("Host")
                    + "\",\"body\":\"" + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        upstream.start();
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        client = new UpstreamClient(group, NioSocketChannel.class, NioDatagramChannel.class, 4, 1_000);
    }

    @AfterEach
    void stop() {
        client.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        upstream.stop(0);
    }

    @Test
    void theAnswerCompletesOnTheLoopTheCallWasMadeOn() throws Exception {
        UpstreamTarget target = UpstreamTarget.of("http://127.0.0.1:" + upstream.getAddress().getPort() + "/api?x=1");
        for (int round = 0; round < 3; round++) { // new connections first, then pooled ones
            for (var executor : group) {
                EventLoop loop = (EventLoop) executor;
                CompletableFuture<Thread> answeredOn = new CompletableFuture<>();
                CompletableFuture<UpstreamResponse> response = loop.submit(() -> client.post(loop, target, Map.of(),
                        "a=b", 1_000).whenComplete((r, e) -> answeredOn.complete(Thread.currentThread())))
                        .get(10, TimeUnit.SECONDS).toCompletableFuture();
                UpstreamResponse r = response.get(10, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(new String(r.body(), StandardCharsets.UTF_8))
                        .isEqualTo("{\"path\":\"/api?x=1\",\"host\":\"127.0.0.1:" + upstream.getAddress().getPort()
                                + "\",\"body\":\"a=b\"}");
                assertThat(loop.inEventLoop(answeredOn.get(10, TimeUnit.SECONDS))).isTrue();
            }
        }
    }

    @Test
    void aCallFromOutsideTheGroupStillRunsOnOneOfItsLoops() throws Exception {
        UpstreamTarget target = UpstreamTarget.of("http://127.0.0.1:" + upstream.getAddress().getPort());
        EventLoopGroup other = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            UpstreamResponse r = client.post(other.next(), target, Map.of(), "", 1_000).get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("\"path\":\"/\"");
        } finally {
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aTargetIsParsedOnce() {
        UpstreamTarget t = UpstreamTarget.of("http://svc.internal/v1/items?fmt=json");
        assertThat(t.address().getHostString()).isEqualTo("svc.internal");
        assertThat(t.address().getPort()).isEqualTo(80);
        assertThat(t.hostAndPort()).isEqualTo("svc.internal:80");
        assertThat(t.path()).isEqualTo("/v1/items?fmt=json");
        assertThat(UpstreamTarget.of("https://svc").address().getPort()).isEqualTo(443);
        assertThat(UpstreamTarget.of("https://svc").path()).isEqualTo("/");
    }
}
