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
        return new EmbeddedChannel(new HttpServerCodec(), new RequestReadTimeout(1_000, new TopRefusals(new RequestIds())));
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
        send(ch, "POST /router/rest?format=xml HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
        passTheTimeout(ch);
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; b.release()) {
            out.append(b.toString(StandardCharsets.UTF_8));
        }
        // a TOP error_response in the format the query string names, with a request id
        assertThat(out.toString()).startsWith("HTTP/1.1 408")
                .contains("content-type: text/xml;charset=UTF-8")
                .contains("<error_response><code>10</code>").contains("<sub_code>isp.request-read-timeout</sub_code>")
                .containsPattern("<request_id>[0-9a-z]+</request_id></error_response>$");
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
