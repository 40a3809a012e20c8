package io.topaz.control;

import org.apache.curator.test.TestingServer;

import java.util.UUID;

/**
 * One real in-process ZooKeeper server for the whole test run; each test class works under its own root path so
 * classes never see each other's config.
 */
public final class TestZooKeeper {

    private static TestingServer server;

    private TestZooKeeper() {
    }

    public static synchronized String connectString() {
        if (server == null) {
            try {
                server = new TestingServer(true);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the test ZooKeeper server", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (Exception ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return server.getConnectString();
    }

    public static String uniqueRoot() {
        return "/topaz-test-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
