package io.topaz.agent.broker.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.store.ConsumeQueue;
import io.topaz.agent.broker.store.LogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * {@link QueueEngine}'s queues, by name and by app, each with its directory {@code dir/queues/<hex of app/group>}
 * and its meters: finds or creates a queue, recovers them all at open (each one's file and saved state), takes one
 * out when it is released, and closes their files. Guarded by the engine's lock.
 */
final class QueueTable {

    /** The engine's logger: messages keep the category they had before this class was split out of it. */
    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    /** Key prefix of the queues' states in the state store. */
    static final String STATE_PREFIX = "q/";
    /** Infix of a released queue's directory, renamed before it is deleted. */
    private static final String RELEASED = ".released-";

    private final EngineContext ctx;
    private final Path dir;
    private final Path queuesDir;
    private final MeterRegistry registry;
    private final LogStore state;
    private final RecordReader reader;
    private final Map<QueueName, QueueState> queues = new HashMap<>();
    private final Map<String, List<QueueState>> byApp = new HashMap<>();

    QueueTable(EngineContext ctx, Path queuesDir, RecordReader reader) {
        this.ctx = ctx;
        this.dir = ctx.dir;
        this.queuesDir = queuesDir;
        this.registry = ctx.registry;
        this.state = ctx.state;
        this.reader = reader;
    }

    QueueState get(QueueName name) {
        return queues.get(name);
    }

    /** The queues (a live view). */
    Collection<QueueState> all() {
        return queues.values();
    }

    /** The queues' names (a live view). */
    Set<QueueName> names() {
        return queues.keySet();
    }

    /** Whether {@code q} is the queue held under its name (not released meanwhile). */
    boolean holds(QueueState q) {
        return queues.containsKey(q.name) && queues.get(q.name) == q;
    }

    /** The app's queues. */
    List<QueueState> ofApp(String app) {
        return byApp.getOrDefault(app, List.of());
    }

    QueueState queueOrCreate(QueueName name) {
        QueueState q = queues.get(name);
        if (q == null) {
            q = new QueueState(name, ConsumeQueue.open(queueDir(name), ctx.options.queueChunkEntries()),
                    new Codec.State(0, new BitSet(), new long[0], 0, 0, 0, 0));
            add(q);
        }
        return q;
    }

    private void add(QueueState q) {
        queues.put(q.name, q);
        byApp.computeIfAbsent(q.name.appKey(), a -> new ArrayList<>()).add(q);
        Tags tags = tags(q.name);
        q.deliveredCounter = Counter.builder("topaz.broker.delivered").tags(tags).register(registry);
        q.confirmedCounter = Counter.builder("topaz.broker.confirmed").tags(tags).register(registry);
        q.redeliveredCounter = Counter.builder("topaz.broker.redelivered").tags(tags).register(registry);
        q.ignoredCounter = Counter.builder("topaz.broker.confirm.ignored").tags(tags).register(registry);
        Gauge.builder("topaz.broker.backlog", q, s -> s.unconfirmed).tags(tags)
                .description("messages stored and not yet confirmed").register(registry);
        Gauge.builder("topaz.broker.oldest.unconfirmed.age", q, s -> {
            synchronized (ctx.mutex) {
                return queues.get(s.name) == s ? reader.oldestAge(s, ctx.clock.millis()) / 1000.0 : 0;
            }
        }).tags(tags).baseUnit("seconds").register(registry);
    }

    /**
     * Takes the queue out (its meters too), closes its file and renames its directory; once its state is deleted
     * from the state store, deletes the directory (a leftover is deleted at the next open).
     */
    CompletableFuture<Void> release(QueueName queue, QueueCommitter committer) {
        Path released;
        synchronized (ctx.mutex) {
            QueueState q = queues.remove(queue);
            if (q == null) {
                return CompletableFuture.completedFuture(null);
            }
            List<QueueState> app = byApp.get(queue.appKey());
            app.remove(q);
            if (app.isEmpty()) {
                byApp.remove(queue.appKey());
            }
            committer.forget(q);
            removeMeters(queue);
            q.file.close();
            Path qdir = queueDir(queue);
            released = qdir.resolveSibling(qdir.getFileName() + RELEASED + System.nanoTime());
            try {
                Files.move(qdir, released);
            } catch (IOException e) {
                return QueueCommitter.failed(e);
            }
        }
        return state.delete(STATE_PREFIX + queue.key()).<Void>thenApply(d -> {
            deleteTree(released);
            return null;
        }).exceptionallyCompose(QueueCommitter::failed);
    }

    private void removeMeters(QueueName name) {
        for (Meter m : List.copyOf(registry.getMeters())) {
            if (m.getId().getName().startsWith("topaz.broker.") && name.appKey().equals(m.getId().getTag("app"))
                    && name.group().equals(m.getId().getTag("group"))) {
                registry.remove(m);
            }
        }
    }

    static Tags tags(QueueName name) {
        return Tags.of("app", name.appKey(), "group", name.group());
    }

    private Path queueDir(QueueName name) {
        return queuesDir.resolve(HexFormat.of().formatHex(name.key().getBytes(StandardCharsets.UTF_8)));
    }

    /** At open: every queue from its directory and its saved state; leftovers of released queues are deleted. */
    void load() {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(queuesDir)) {
            dirs = s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + queuesDir, e);
        }
        for (Path d : dirs) {
            String name = d.getFileName().toString();
            if (name.contains(RELEASED)) {
                deleteTree(d);
                continue;
            }
            QueueName queue;
            try {
                queue = QueueName.parse(new String(HexFormat.of().parseHex(name), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                log.warn("message store {}: ignoring {} in {}: not a queue's directory", dir, name, queuesDir);
                continue;
            }
            Codec.State st = state.get(STATE_PREFIX + queue.key()).map(Codec::state)
                    .orElse(new Codec.State(0, new BitSet(), new long[0], 0, 0, 0, 0));
            ConsumeQueue file = ConsumeQueue.open(d, ctx.options.queueChunkEntries());
            QueueState q = new QueueState(queue, file, st);
            if (q.window.confirmPos() > file.writeIndex()) {
                log.error("message store {}: queue {} was confirmed up to {} but its file ends at {}", dir, queue,
                        q.window.confirmPos(), file.writeIndex());
            }
            add(q);
        }
        for (String key : state.keys(STATE_PREFIX)) {
            if (!queues.containsKey(QueueName.parse(key.substring(STATE_PREFIX.length())))) {
                state.delete(key); // a released queue whose files went first
            }
        }
        long backlog = queues.values().stream().mapToLong(q -> q.unconfirmed).sum();
        log.info("message store {}: {} queues, {} unconfirmed messages, {} log segments", dir, queues.size(), backlog,
                ctx.messages.segmentIds().size());
    }

    /** Closes every queue's file and removes its meters. */
    void closeFiles() {
        for (QueueState q : queues.values()) {
            q.file.close();
            removeMeters(q.name);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", root, e.toString());
        }
    }
}
