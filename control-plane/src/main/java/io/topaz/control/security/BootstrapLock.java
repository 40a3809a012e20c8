package io.topaz.control.security;

import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.springframework.stereotype.Component;

import java.util.concurrent.TimeUnit;

/**
 * The ZooKeeper mutex {@link ZkLayout#bootstrapLock()} (control-plane-only, under {@code locks/}): held while a control
 * plane checks for and creates the tokens it needs (the bootstrap admin token, its configured AGENT token), so that
 * control planes starting together on one database create each of them once.
 */
@Component
class BootstrapLock {

    private static final long WAIT_SECONDS = 30;

    private final InterProcessMutex mutex;
    private final String path;

    BootstrapLock(CuratorFramework curator, ZkLayout layout) {
        this.path = layout.bootstrapLock();
        this.mutex = new InterProcessMutex(curator, path);
    }

    void run(Runnable work) {
        try {
            if (!mutex.acquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("another control plane has held " + path + " for " + WAIT_SECONDS
                        + " s while creating its start-up tokens; is ZooKeeper reachable?");
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot take the ZooKeeper lock " + path + ": " + e.getMessage(), e);
        }
        try {
            work.run();
        } finally {
            try {
                mutex.release();
            } catch (Exception ignored) {
                // the lock node is ephemeral: it goes with the session at the latest
            }
        }
    }
}
