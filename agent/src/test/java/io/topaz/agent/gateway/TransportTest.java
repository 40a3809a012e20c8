package io.topaz.agent.gateway;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.topaz.agent.net.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gateway serves the same calls on every network transport, and the transport flag is read strictly. */
class TransportTest {

    private static final boolean NATIVE_JARS = System.getProperty("os.name").toLowerCase().contains("linux")
            && Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));

    /** False where the kernel forbids io_uring ({@code kernel.io_uring_disabled} set); true where it cannot tell. */
    private static boolean kernelAllowsIoUring() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim().equals("0");
        } catch (IOException e) {
            return true;
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void everyTransportServesSignedCallsWithoutBlockingAnEventLoop(Transport transport) throws Exception {
        // The native jars ship for Linux x86_64: there they must load (io_uring where the kernel allows it), or the
        // default would silently degrade.
        if (transport == Transport.EPOLL && NATIVE_JARS
                || transport == Transport.IO_URING && NATIVE_JARS && kernelAllowsIoUring()) {
            assertThat(transport.unavailableBecause()).isNull();
        }
        GatewayHarness h = GatewayHarness.get();
        if (!transport.isAvailable()) { // the agent falls back to one that is; starting on this one is refused
            assertThat(transport.orFallback()).isNotEqualTo(transport).matches(Transport::isAvailable);
            assertThatThrownBy(() -> h.newServer(new SimpleMeterRegistry()).start("127.0.0.1", 0, 1, transport))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not available here");
            return;
        }
        GatewayServer server = h.newServer(new SimpleMeterRegistry());
        try {
            int port = server.start("127.0.0.1", 0, 2, transport);
            HttpClient http = HttpClient.newHttpClient();
            GatewayHarness.concurrentSignedCalls(http, port, 100);
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/router/rest?format=json&method=taobao.time.get&app_key=" + GatewayHarness.APP + "&sign=00")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bad.body()).startsWith("{\"error_response\":{\"code\":");
        } finally {
            server.close();
        }
        assertThat(GatewayHarness.BLOCKING_CALLS).isEmpty();
    }

    @Test
    void onIoUringBlockHoundStillSeesABlockingCallButAllowsTheRingsClosingSpin() throws Exception {
        if (!Transport.IO_URING.isAvailable()) { // where it must be available, the test above fails instead
            return;
        }
        GatewayHarness.get();
        int before = GatewayHarness.BLOCKING_CALLS.size();
        for (int i = 0; i < 100; i++) { // an ending io_uring loop spins until its ring's last wake-up completes
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, Transport.IO_URING.ioHandlerFactory());
            try {
                group.submit(() -> { }).get(10, TimeUnit.SECONDS);
            } finally {
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
        assertThat(GatewayHarness.BLOCKING_CALLS).hasSize(before);
        GatewayHarness.assertBlockHoundSeesABlockingCallOn(Transport.IO_URING.ioHandlerFactory());
    }

    @Test
    void theFlagNamesATransportOrIsRejectedWithTheChoices() {
        assertThat(Transport.parse(null)).isEqualTo(Transport.IO_URING);
        assertThat(Transport.parse("auto")).isEqualTo(Transport.IO_URING);
        assertThat(Transport.parse(" EPOLL ")).isEqualTo(Transport.EPOLL);
        assertThat(Transport.parse("io-uring")).isEqualTo(Transport.IO_URING);
        assertThat(Transport.parse("nio")).isEqualTo(Transport.NIO);
        assertThatThrownBy(() -> Transport.parse("kqueue"))
                .hasMessage("--transport must be auto, epoll, io_uring or nio, was 'kqueue'");
        assertThat(Transport.NIO.orFallback()).isEqualTo(Transport.NIO);
        assertThat(Transport.NIO.unavailableBecause()).isNull();
    }
}
