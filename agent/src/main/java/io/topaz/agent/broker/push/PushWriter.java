package io.topaz.agent.broker.push;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.QueueName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connected connection's delivery loop, on its event loop. It asks the queue's owner ({@code Broker.consume}) for
 * at most the free part of the window ({@link InFlightWindow}), writes each message as a SEND ({@link SendWriter}),
 * and asks again when an answer frees the window, when the channel is writable again after Netty's high-water mark
 * paused it, on a pull request, when the push ring announces a message stored in its queue here ({@link #wake}),
 * and every {@code pollInterval} while the owner's last answer was short (messages stored at another owner, due
 * redeliveries, or announcements dropped because the ring was full).
 *
 * <p>Answers ({@code __kind} 2 confirm, 20 failed) leave the window at once and go to the broker through the
 * confirmation tiers ({@code Confirmations}), in order. When the connection ends, its unconfirmed messages are
 * reported failed, so the group's other connections get them after the failure backoff.
 */
final class PushWriter {

    private static final Logger log = LoggerFactory.getLogger(PushWriter.class);
    static final int KIND_DATA = 3;

    private final PushServer server;
    private final ChannelHandlerContext ctx;
    private final QueueName queue;
    private final int version;
    private final String token;
    private final InFlightWindow window;
    private final SendWriter sends;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private boolean running = true;
    private boolean fetching;
    /** Asked to fill while a fetch was under way: ask again when it is answered, however short. */
    private boolean again;
    private ScheduledFuture<?> poll;
    // the operators' view (PushServer.connectionList): written on the event loop, read from any thread
    private volatile long pushedCount;
    private volatile long confirmedCount;

    PushWriter(PushServer server, ChannelHandlerContext ctx, QueueName queue, int version, String token) {
        this.server = server;
        this.ctx = ctx;
        this.queue = queue;
        this.version = version;
        this.token = token;
        this.window = new InFlightWindow(server.settings().window(), System.nanoTime());
        this.sends = new SendWriter(ctx, server.settings().zeroCopyMinBytes(), server.metrics());
    }

    QueueName queue() {
        return queue;
    }

    /** Asks the queue's owner for as many messages as the window has room for, unless a request is under way. */
    void fill() {
        if (!running) {
            return;
        }
        if (fetching) {
            again = true;
            return;
        }
        int room = window.room(System.nanoTime());
        if (room <= 0 || !ctx.channel().isWritable()) {
            return;
        }
        cancelPoll();
        fetching = true;
        CompletableFuture<List<Delivery>> got;
        try {
            got = server.broker().consume(queue, room);
        } catch (RuntimeException e) {
            got = CompletableFuture.failedFuture(e);
        }
        got.whenComplete((list, err) -> ctx.executor().execute(() -> fetched(list, err, room)));
    }

    /** A pull request: ask now, whatever the poll timer says. */
    void pull() {
        cancelPoll();
        fill();
    }

    /** The push ring saw a message stored in this queue here (ring thread): fill on the event loop, once per burst. */
    void wake() {
        if (wakePending.compareAndSet(false, true)) {
            ctx.executor().execute(() -> {
                wakePending.set(false);
                fill();
            });
        }
    }

    private void fetched(List<Delivery> list, Throwable err, int asked) {
        fetching = false;
        boolean more = again;
        again = false;
        if (err != null) {
            log.debug("consuming {} for a push connection failed: {}", queue, err.toString());
            schedulePoll();
            return;
        }
        if (!running || !ctx.channel().isActive()) {
            // the connection ended while the owner answered: give them back at once
            for (Delivery d : list) {
                server.confirmations().offer(queue, d.message().id(), true);
            }
            return;
        }
        long now = server.clock().millis();
        long at = System.nanoTime();
        for (Delivery d : list) {
            window.pushed(d.message().id(), at);
            sends.write(send(d.message(), now), d.contentFile());
        }
        server.metrics().pushed(list.size());
        pushedCount += list.size();
        if (!list.isEmpty()) {
            ctx.flush();
        }
        if (list.size() < asked && !more) {
            schedulePoll();
        } else {
            fill();
        }
    }

    /** The server's SEND of one message (docs/tmc-protocol.md, "Messages"). */
    private Frame send(BrokerMessage m, long now) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("__kind", (byte) KIND_DATA);
        fields.put("id", m.id());
        fields.put("topic", m.topic());
        fields.put("content", m.content());
        fields.put("time", Instant.ofEpochMilli(m.pubTimeMillis()));
        fields.put("outtime", Instant.ofEpochMilli(now));
        fields.put("publisher", m.publisher());
        fields.put("userid", m.userId());
        fields.put("nick", m.userNick());
        if (m.dataId() > 0) {
            fields.put("dataid", m.dataId());
        }
        return new Frame(version, Frame.SEND, null, null, null, token, fields);
    }

    /** The client confirmed ({@code failed} false) or failed {@code id}. */
    void answered(long id, boolean failed) {
        Long pushedAt = window.answered(id, failed, System.nanoTime());
        if (pushedAt != null) {
            if (failed) {
                server.metrics().failed();
            } else {
                confirmedCount++;
                server.metrics().confirmed(pushedAt, System.nanoTime());
            }
        }
        server.confirmations().offer(queue, id, failed);
        fill();
    }

    long pushedCount() {
        return pushedCount;
    }

    long confirmedCount() {
        return confirmedCount;
    }

    /** Messages pushed and not yet answered on this connection. */
    int inFlight() {
        return window.size();
    }

    /** The connection ended: no more pushes; its unconfirmed messages are reported failed. */
    void stop() {
        if (!running) {
            return;
        }
        running = false;
        cancelPoll();
        long[] ids = window.releaseAll();
        if (ids.length > 0) {
            server.metrics().released(ids.length);
            server.confirmations().offer(queue, ids, true);
        }
    }

    private void schedulePoll() {
        if (poll == null && running) {
            poll = ctx.executor().schedule(() -> {
                poll = null;
                fill();
            }, server.settings().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void cancelPoll() {
        if (poll != null) {
            poll.cancel(false);
            poll = null;
        }
    }
}
