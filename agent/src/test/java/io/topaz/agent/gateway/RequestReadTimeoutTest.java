package io.topaz.agent.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A request that arrives whole arms no timer; one left half-sent gets 408 and the connection is closed. */
class RequestReadTimeoutTest {

    private static EmbeddedChannel channel() {
        // The codec decodes the request; the timeout handler sits after it as in the gateway. Responses pass the
        // codec's encoder, so the test reads bytes.
        return new EmbeddedChannel(new HttpServerCodec(), new RequestReadTimeout(1_000));
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    /** Moves the channel's clock past the 1 s timeout and runs what fell due. */
    private static void passTheTimeout(EmbeddedChannel ch) {
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
    }

    /** Releases the decoded request parts and checks nothing else was left in the channel. */
    private static void releaseAll(EmbeddedChannel ch) {
        ch.releaseInbound();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aRequestWholeInOneReadArmsNoTimer() {
        EmbeddedChannel ch = channel();
        send(ch, "GET /router/rest?a=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        passTheTimeout(ch);
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        releaseAll(ch);
    }

    @Test
    void aRequestLeftHalfSentTimesOut() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /router/rest HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
        passTheTimeout(ch);
        ByteBuf out = ch.readOutbound();
        assertThat(out.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 408");
        out.release();
        assertThat(ch.isOpen()).isFalse();
        releaseAll(ch);
    }

    @Test
    void aRequestFinishedInALaterReadDoesNotTimeOut() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /router/rest HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab");
        send(ch, "cd");
        passTheTimeout(ch);
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        releaseAll(ch);
    }
}
