package io.topaz.control.zk;

import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-process ZooKeeper server for the embedded default: one command runs everything on a fresh machine. Data is
 * kept on local disk, so the config survives a restart. Its admin web server is off: it would take port 8080, the
 * first agent's gateway port.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    private enum State { LATENT, STARTED, CLOSED }

    private static final long START_TIMEOUT_MILLIS = 30_000;

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Path baseDir;
    private final int port;
    private ZooKeeperServerEmbedded server;
    private String connectString;

    public EmbeddedZooKeeper(Path baseDir, int port) {
        this.baseDir = baseDir.toAbsolutePath();
        this.port = port;
    }

    public String start() throws Exception {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("embedded ZooKeeper already started or closed");
        }
        try {
            // owner-only: its snapshots hold the ACLs' password digests
            io.topaz.control.security.OwnerOnlyFiles.createDirectories(baseDir.resolve("data"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create ZooKeeper data directory " + baseDir, e);
        }
        Properties p = new Properties();
        p.setProperty("clientPort", Integer.toString(port));
        p.setProperty("clientPortAddress", "127.0.0.1");
        p.setProperty("dataDir", baseDir.resolve("data").toString());
        p.setProperty("tickTime", "2000");
        p.setProperty("initLimit", "10");
        p.setProperty("syncLimit", "5");
        p.setProperty("admin.enableServer", "false");
        p.setProperty("autopurge.snapRetainCount", "5");
        p.setProperty("autopurge.purgeInterval", "1");
        p.setProperty("maxClientCnxns", "0");
        server = ZooKeeperServerEmbedded.builder()
                .baseDir(baseDir)
                .configuration(p)
                .exitHandler(ExitHandler.LOG_ONLY)
                .build();
        try {
            server.start(START_TIMEOUT_MILLIS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the embedded ZooKeeper server did not start within " + START_TIMEOUT_MILLIS
                    + " ms on port " + port + "; its error is logged above (is the port free? is " + baseDir + " writable?)");
        }
        connectString = server.getConnectionString();
        log.info("embedded ZooKeeper serving {} with data in {}", connectString, baseDir);
        return connectString;
    }

    public String connectString() {
        return connectString;
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED || server == null) {
            return;
        }
        // ZooKeeper's close joins its server threads and never returns if the server died while starting; bound it.
        Thread closer = new Thread(server::close, "embedded-zookeeper-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.warn("embedded ZooKeeper did not stop within 10 s; leaving it to the JVM's exit");
        } else {
            log.info("embedded ZooKeeper stopped");
        }
    }
}
