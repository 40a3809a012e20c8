package io.topaz.agent;

import reactor.blockhound.BlockHound;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * BlockHound for this test JVM, installed once whichever test asks first (the gateway's and the push path's tests),
 * recording rather than throwing: a blocking call on a Netty event loop shows up in {@link #CALLS} with its thread
 * and stack, and a test asserts the list stayed empty.
 */
public final class BlockingCalls {

    public static final List<String> CALLS = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private BlockingCalls() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        // Two shutdown steps off the request path, allowed so that a test may stop a gateway the way the agent does:
        // closing a FixedChannelPool (UpstreamClient.close) waits for its connections to close on Netty's global
        // executor thread, and an io_uring event loop, as it ends, spins until the wake-up still in flight in its
        // ring completes (IoUringIoHandler.destroy → closeWakeupGate → Thread.onSpinWait).
        BlockHound.install(b -> b.allowBlockingCallsInside("io.netty.channel.pool.SimpleChannelPool", "close")
                .allowBlockingCallsInside("io.netty.channel.uring.IoUringIoHandler", "destroy")
                .blockingMethodCallback(m -> CALLS.add(m + " on " + Thread.currentThread().getName() + "\n"
                        + stack())));
    }

    private static String stack() {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
            sb.append("  at ").append(e).append('\n');
        }
        return sb.toString();
    }
}
