package io.topaz.agent.broker.push;

import io.netty.channel.ChannelHandlerContext;
import io.topaz.agent.gateway.TopError;
import io.topaz.agent.tmc.TmcApis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A connection's publish frames ({@code __kind} 3): produced as {@code taobao.tmc.message.produce} by the
 * connection's app, answered with a SENDACK echoing the flag — the message id in field {@code id}, or a status and
 * the phrase {@code <sub_code>: <sub_msg>}. Used on the connection's event loop.
 */
final class Publisher {

    private static final Logger log = LoggerFactory.getLogger(Publisher.class);

    private final PushServer server;
    private final ChannelHandlerContext ctx;
    private final int version;
    private final String token;
    private final String appKey;
    private final BooleanSupplier connected;

    Publisher(PushServer server, ChannelHandlerContext ctx, int version, String token, String appKey,
              BooleanSupplier connected) {
        this.server = server;
        this.ctx = ctx;
        this.version = version;
        this.token = token;
        this.appKey = appKey;
        this.connected = connected;
    }

    void publish(Frame f) {
        Integer flag = f.flag();
        TmcApis tmc = server.tmc();
        if (tmc == null) {
            answer(sendAck(flag, 503, "publishing is not served on this agent", null));
            return;
        }
        CompletableFuture<TmcApis.Produced> produced;
        try {
            produced = tmc.produce(server.config(), appKey, f.string("topic"), f.string("content"));
        } catch (RuntimeException e) {
            produced = CompletableFuture.failedFuture(e);
        }
        produced.whenComplete((p, err) -> ctx.executor().execute(() -> {
            if (!connected.getAsBoolean()) {
                return;
            }
            if (err != null) {
                log.warn("a push publish failed", err);
                answer(sendAck(flag, 500, "internal error; retry later", null));
            } else if (p.error() != null) {
                TopError e = p.error();
                answer(sendAck(flag, status(e), e.subCode() + ": " + e.subMsg(), null));
            } else {
                answer(sendAck(flag, null, null, p.msgId()));
            }
        }));
    }

    private void answer(Frame ack) {
        ctx.writeAndFlush(PushConnection.binary(ack, ctx.alloc()));
    }

    private Frame sendAck(Integer flag, Integer status, String phrase, Long id) {
        Map<String, Object> fields = id == null ? Map.of() : Map.of("id", id);
        return new Frame(version, Frame.SENDACK, status, phrase, flag, token, fields);
    }

    /** A produce's TOP error as a SENDACK status: 503 retry later, 429 overloaded, 403 not a producer, else 400. */
    static int status(TopError e) {
        if (e.code() == 7) {
            return 429;
        }
        if (e.platformSide()) {
            return 503;
        }
        return e.code() == 11 ? 403 : 400;
    }
}
