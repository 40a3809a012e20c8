package io.topaz.agent.broker.push;

import io.topaz.agent.broker.push.confirm.ConfirmSettings;

import java.time.Duration;

/**
 * The push WebSocket's limits.
 *
 * @param maxFrameBytes   the largest frame read (1 MiB); beyond it the connection closes with 1009
 * @param idleTimeout     a connection that sends no frame (pings count) for this long is closed
 * @param window          the largest window: messages pushed and not yet confirmed per connection (each
 *                        connection's own is sized from its confirmation rate, {@link FlowWindow})
 * @param pollInterval    how often an idle connection asks its queue's owner for new or due messages
 * @param timestampWindow how far a CONNECT's timestamp may be from this agent's clock (the gateway's, 10 min)
 * @param connectTimeout  a connection must have sent its CONNECT and been answered within this
 * @param slowConsumerTimeout a connection whose channel stays unwritable (Netty's write-buffer high-water mark: the
 *                        client does not read) this long is closed as too slow; its messages stay queued
 * @param ringSize        slots of the push ring ({@link PushRing}), a power of two
 * @param zeroCopyMinBytes a message whose content has at least this many bytes, read from this agent's message log,
 *                        goes out of a plain (non-TLS) channel as a file region (sendfile/splice) rather than copied;
 *                        {@code Integer.MAX_VALUE} turns that off
 * @param confirm         the confirmation tiers' bounds ({@code --push-confirm-heap}, {@code --push-confirm-direct})
 */
public record PushSettings(int maxFrameBytes, Duration idleTimeout, int window, Duration pollInterval,
                           Duration timestampWindow, Duration connectTimeout, Duration slowConsumerTimeout,
                           int ringSize, int zeroCopyMinBytes, ConfirmSettings confirm) {

    public PushSettings {
        if (maxFrameBytes < 1024 || window < 1 || idleTimeout.isNegative() || idleTimeout.isZero()
                || pollInterval.isNegative() || pollInterval.isZero() || ringSize < 1 || Integer.bitCount(ringSize) != 1
                || zeroCopyMinBytes < 0) {
            throw new IllegalArgumentException("push settings out of range: " + maxFrameBytes + " bytes, window "
                    + window + ", idle " + idleTimeout + ", poll " + pollInterval + ", ring " + ringSize
                    + " (a power of two), zero-copy from " + zeroCopyMinBytes + " bytes");
        }
        confirm = confirm == null ? ConfirmSettings.defaults() : confirm;
    }

    /** 1 MiB frames, 5 min idle, window 1,000, 100 ms polls, a ring of 16,384, zero-copy from 16 KiB. */
    public static PushSettings defaults() {
        return new PushSettings(1024 * 1024, Duration.ofMinutes(5), 1000, Duration.ofMillis(100),
                Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofSeconds(60), 16_384, 16 * 1024,
                ConfirmSettings.defaults());
    }

    public PushSettings withIdleTimeout(Duration idle) {
        return new PushSettings(maxFrameBytes, idle, window, pollInterval, timestampWindow, connectTimeout,
                slowConsumerTimeout, ringSize, zeroCopyMinBytes, confirm);
    }

    public PushSettings withWindow(int w) {
        return new PushSettings(maxFrameBytes, idleTimeout, w, pollInterval, timestampWindow, connectTimeout,
                slowConsumerTimeout, ringSize, zeroCopyMinBytes, confirm);
    }

    public PushSettings withPollInterval(Duration poll) {
        return new PushSettings(maxFrameBytes, idleTimeout, window, poll, timestampWindow, connectTimeout,
                slowConsumerTimeout, ringSize, zeroCopyMinBytes, confirm);
    }

    public PushSettings withMaxFrameBytes(int max) {
        return new PushSettings(max, idleTimeout, window, pollInterval, timestampWindow, connectTimeout,
                slowConsumerTimeout, ringSize, zeroCopyMinBytes, confirm);
    }

    public PushSettings withSlowConsumerTimeout(Duration slow) {
        return new PushSettings(maxFrameBytes, idleTimeout, window, pollInterval, timestampWindow, connectTimeout,
                slow, ringSize, zeroCopyMinBytes, confirm);
    }

    public PushSettings withZeroCopyMinBytes(int bytes) {
        return new PushSettings(maxFrameBytes, idleTimeout, window, pollInterval, timestampWindow, connectTimeout,
                slowConsumerTimeout, ringSize, bytes, confirm);
    }

    public PushSettings withConfirm(ConfirmSettings c) {
        return new PushSettings(maxFrameBytes, idleTimeout, window, pollInterval, timestampWindow, connectTimeout,
                slowConsumerTimeout, ringSize, zeroCopyMinBytes, c);
    }
}
