package io.topaz.agent.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * HTTP/1.1 pipelining: a client may send several requests on a connection before the first answer, and must get the
 * answers in the order of its requests. Calls finish in any order (the upstreams answer when they do), so each
 * request claims a slot when it arrives, and an answer is written only when every earlier slot has been written. All
 * of it runs on the connection's event loop. A client that keeps more than {@link #MAX_PENDING} requests unanswered
 * is disconnected.
 */
final class ResponseOrder {

    static final int MAX_PENDING = 128;
    private static final AttributeKey<ResponseOrder> KEY = AttributeKey.valueOf("topaz.response-order");

    /** One request's place in the order; it holds the answer until it may be written. */
    final class Slot {
        private FullHttpResponse response;
        private boolean close;

        /** The answer of this slot's request; writes it, and any later ones already waiting, when its turn comes. */
        void complete(FullHttpResponse res, boolean closeAfter) {
            response = res;
            close = closeAfter;
            drain();
        }
    }

    private final Channel channel;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private boolean closing;

    private ResponseOrder(Channel channel) {
        this.channel = channel;
    }

    /** The order of {@code channel}'s answers (made at the first request). */
    static ResponseOrder of(Channel channel) {
        ResponseOrder o = channel.attr(KEY).get();
        if (o == null) {
            o = new ResponseOrder(channel);
            channel.attr(KEY).set(o);
        }
        return o;
    }

    /** A slot for a request that has just arrived. */
    Slot claim() {
        Slot s = new Slot();
        slots.add(s);
        if (slots.size() > MAX_PENDING) {
            channel.close();
        }
        return s;
    }

    private void drain() {
        boolean wrote = false;
        while (!slots.isEmpty() && slots.peek().response != null) {
            Slot s = slots.poll();
            if (closing) {
                ReferenceCountUtil.release(s.response); // answers after a "Connection: close" one are never sent
                continue;
            }
            if (s.close) {
                closing = true;
                channel.write(s.response).addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.write(s.response, channel.voidPromise());
            }
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }
}
