package io.topaz.agent.metadata;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.UUID;

/**
 * The real Redis on 127.0.0.1:6379 (see SERVICES.md). Each test uses its own key prefix so runs never collide. Under
 * {@code CI=true} a missing Redis fails the test; elsewhere the test is skipped with the reason.
 */
public final class RedisSupport {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 6379;

    private RedisSupport() {
    }

    public static String uri() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, PORT), 1_000);
        } catch (IOException e) {
            String why = "Redis is not running on " + HOST + ":" + PORT + " (start it: bash scripts/services.sh)";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        return "redis://" + HOST + ":" + PORT + "/0";
    }

    public static String prefix() {
        return "topaz-test:" + UUID.randomUUID() + ":";
    }
}
