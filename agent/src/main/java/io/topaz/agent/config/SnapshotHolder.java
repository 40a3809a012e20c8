package io.topaz.agent.config;

import io.topaz.model.config.ConfigSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The one reference through which every engine reads config. A new release replaces the whole immutable snapshot in
 * one write, so a reader sees one release or the next, never a mix. Releases only move forward.
 */
public final class SnapshotHolder {

    private static final Logger log = LoggerFactory.getLogger(SnapshotHolder.class);

    private final AtomicReference<ConfigSnapshot> current = new AtomicReference<>(ConfigSnapshot.empty());
    private final List<Consumer<ConfigSnapshot>> listeners = new CopyOnWriteArrayList<>();

    public ConfigSnapshot current() {
        return current.get();
    }

    /** Installs {@code next} if it is newer than the current snapshot; returns whether it did. */
    public boolean swap(ConfigSnapshot next) {
        while (true) {
            ConfigSnapshot now = current.get();
            if (next.release() <= now.release()) {
                return false;
            }
            if (current.compareAndSet(now, next)) {
                for (Consumer<ConfigSnapshot> l : listeners) {
                    try {
                        l.accept(next);
                    } catch (RuntimeException e) {
                        log.warn("a release listener failed on release {}", next.release(), e);
                    }
                }
                return true;
            }
        }
    }

    /** Called after each swap, on the thread that applied the release. */
    public void addListener(Consumer<ConfigSnapshot> listener) {
        listeners.add(listener);
    }
}
