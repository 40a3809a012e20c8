package io.topaz.agent;

import io.topaz.agent.broker.push.PushSettings;

import java.time.Duration;
import java.util.Map;

import static io.topaz.agent.AgentSettings.bytes;
import static io.topaz.agent.AgentSettings.duration;
import static io.topaz.agent.AgentSettings.require;

/**
 * The push WebSocket's flags ({@code --push-*}) of {@link AgentSettings}, each checked against the range the push
 * server can work with; the limits without a flag keep {@link PushSettings#defaults()}.
 */
final class PushFlags {

    /** A window above the queue's own in-flight cap (10,000 per queue) would never fill. */
    static final int MAX_WINDOW = 10_000;
    static final long MAX_FRAME = 64L * 1024 * 1024;

    private PushFlags() {
    }

    /**
     * {@code --push-idle-timeout}, {@code --push-window}, {@code --push-slow-consumer-timeout},
     * {@code --push-poll-interval}, {@code --push-max-frame} (bytes: 64k, 1m), {@code --push-confirm-heap}
     * (confirmations) and {@code --push-confirm-direct} (bytes: 0, 512k, 16m, 1g).
     *
     * @throws IllegalArgumentException naming the flag, the value and the rule
     */
    static PushSettings parse(Map<String, String> values) {
        Duration idle = duration(values, "push-idle-timeout");
        require(idle.compareTo(Duration.ofSeconds(1)) >= 0, "push-idle-timeout", values.get("push-idle-timeout"),
                "must be at least 1s (a connection sending no frame, pings included, for this long is closed)");
        int window = number(values, "push-window");
        require(window >= 1 && window <= MAX_WINDOW, "push-window", values.get("push-window"),
                "must be a number of messages between 1 and " + MAX_WINDOW + " (the queue's own in-flight cap)");
        Duration slow = duration(values, "push-slow-consumer-timeout");
        require(slow.compareTo(Duration.ofMillis(100)) >= 0, "push-slow-consumer-timeout",
                values.get("push-slow-consumer-timeout"), "must be at least 100ms");
        Duration poll = duration(values, "push-poll-interval");
        require(poll.compareTo(Duration.ofMillis(10)) >= 0 && poll.compareTo(Duration.ofSeconds(10)) <= 0,
                "push-poll-interval", values.get("push-poll-interval"), "must be between 10ms and 10s");
        long frame = bytes(values.get("push-max-frame"));
        require(frame >= 1024 && frame <= MAX_FRAME, "push-max-frame", values.get("push-max-frame"),
                "must be a size in bytes from 1k to 64m, such as 256k or 1m");
        int heap = number(values, "push-confirm-heap");
        require(heap >= 0, "push-confirm-heap", values.get("push-confirm-heap"),
                "must be a number of confirmations (0: skip the heap tier)");
        long direct = bytes(values.get("push-confirm-direct"));
        require(direct >= 0 && direct <= 1L << 30, "push-confirm-direct", values.get("push-confirm-direct"),
                "must be a size in bytes up to 1g, such as 0, 512k or 16m (0: skip the direct-memory tier)");
        PushSettings d = PushSettings.defaults();
        return d.withIdleTimeout(idle).withWindow(window).withSlowConsumerTimeout(slow).withPollInterval(poll)
                .withMaxFrameBytes((int) frame).withConfirm(d.confirm().withBounds(heap, direct));
    }

    /** A whole number ({@code 1_000} allowed); -1 when it is not one, which every range here refuses. */
    private static int number(Map<String, String> values, String name) {
        try {
            return Integer.parseInt(values.get(name).trim().replace("_", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
