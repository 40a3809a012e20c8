package io.topaz.agent.broker.push;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.ssl.SslHandler;
import io.topaz.agent.broker.ContentFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a connection's SEND frames. A message whose content was read from this agent's message log
 * ({@link ContentFile}), at least {@code zeroCopyMinBytes} long, on a channel without TLS, goes out <b>zero-copy</b>:
 * three writes that together are byte for byte the binary WebSocket frame the codec would have produced —
 * <ol>
 *   <li>a buffer with the WebSocket frame header (FIN, opcode 2, the payload length; server frames are unmasked,
 *       so the payload is sent as it is) and the TMC frame up to and including the content field's {@code int32}
 *       length,</li>
 *   <li>a {@link DefaultFileRegion} over the content's UTF-8 bytes in the log segment (sendfile on NIO and epoll,
 *       splice on io_uring: the kernel copies from the page cache to the socket),</li>
 *   <li>a buffer with the TMC frame's remaining fields and its end-of-headers.</li>
 * </ol>
 * These bypass Netty's WebSocket encoder (which passes anything but a WebSocket frame through) and reach the socket
 * in order, as all writes of one channel do. Everything else — small contents (a file open and close cost more than
 * copying a few KiB), messages read from another agent, TLS channels (an {@code SslHandler} must encrypt the bytes,
 * so they pass through memory anyway) — is encoded into one buffer as a {@code BinaryWebSocketFrame}.
 *
 * <p>The region opens the segment file when Netty transfers it, on the event loop (an {@code open} call; the data
 * is not read into the JVM). A segment is deleted only when nothing in flight refers into it; if it is gone anyway
 * the write fails and the connection closes with 1011, its unconfirmed messages reported failed (delivered again).
 */
final class SendWriter {

    private static final Logger log = LoggerFactory.getLogger(SendWriter.class);
    private static final String CONTENT = "content";

    private final ChannelHandlerContext ctx;
    private final int zeroCopyMinBytes;
    private final PushMetrics metrics;

    SendWriter(ChannelHandlerContext ctx, int zeroCopyMinBytes, PushMetrics metrics) {
        this.ctx = ctx;
        this.zeroCopyMinBytes = zeroCopyMinBytes;
        this.metrics = metrics;
    }

    /** Writes {@code send} (not flushed); its content from {@code file} when that is worth it and possible. */
    void write(Frame send, ContentFile file) {
        if (!zeroCopy(send, file)) {
            ctx.write(PushConnection.binary(send, ctx.alloc()));
            return;
        }
        ByteBuf[] around = FrameCodec.encodeAround(send, CONTENT, file.length(), ctx.alloc());
        long payload = (long) around[0].readableBytes() + file.length() + around[1].readableBytes();
        ByteBuf head = ctx.alloc().buffer(10 + around[0].readableBytes());
        head.writeByte(0x82); // FIN, binary
        if (payload < 126) {
            head.writeByte((int) payload);
        } else if (payload <= 0xFFFF) {
            head.writeByte(126).writeShort((int) payload);
        } else {
            head.writeByte(127).writeLong(payload);
        }
        head.writeBytes(around[0]);
        around[0].release();
        ctx.write(head);
        ctx.write(new DefaultFileRegion(file.file().toFile(), file.offset(), file.length()))
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess() && f.channel().isActive()) {
                        log.warn("a zero-copy push from {} failed: closing the connection", file.file(), f.cause());
                        f.channel().pipeline().fireExceptionCaught(f.cause());
                    }
                });
        ctx.write(around[1]);
        metrics.zeroCopied();
    }

    private boolean zeroCopy(Frame send, ContentFile file) {
        if (file == null || file.length() < zeroCopyMinBytes || file.length() <= 0
                || ctx.pipeline().get(SslHandler.class) != null) {
            return false;
        }
        // the region must hold exactly what the codec would write: the content's UTF-8 bytes
        return send.field(CONTENT) instanceof String s && ByteBufUtil.utf8Bytes(s) == file.length();
    }
}
