package io.topaz.bench.messaging;

import java.nio.file.Path;
import java.util.List;

/**
 * The Kafka peer as each phase runs it. One broker setting trades the two measures against each other:
 * {@code group.coordinator.append.linger.ms}, how long an offset commit (the analogue of a confirm) waits for other
 * writes of the group coordinator to write them together. At Kafka's default, 5 ms, every consume-commit cycle takes
 * at least 5 ms, which put about 10 ms into the median produce → consume latency at 1,000 msg/s; at 0, ten consumer
 * groups committing flat out write one record at a time and took 4-6× less produce throughput on this machine
 * (docs/benchmarks.md). So the throughput phase runs against a broker at Kafka's default and the latency phase
 * against one at 0 — Kafka at its best for each figure. The broker is restarted, on a fresh log directory, when the
 * phase needs the other setting ({@code BENCH_KAFKA_COMMIT_LINGER_MS} fixes one value for both).
 */
final class KafkaPhases implements MessagingPeer {

    static final int DEFAULT_LINGER_MS = 5;

    private final Path dir;
    private final KafkaPeer.Flush flush;
    private final List<String> jvmOptions;
    private final String sellerNick;
    private final int batch;
    private final Integer fixedLinger;
    private KafkaPeer current;
    private int currentLinger = -1;
    private int starts;
    private int spread;

    KafkaPhases(Path dir, KafkaPeer.Flush flush, Integer fixedLinger, List<String> jvmOptions, String sellerNick,
                int batch) {
        this.dir = dir;
        this.flush = flush;
        this.fixedLinger = fixedLinger;
        this.jvmOptions = jvmOptions;
        this.sellerNick = sellerNick;
        this.batch = batch;
    }

    /**
     * From now on a cell is the push benchmark's shape ({@link KafkaPeer#openSpread}): {@code consumers} receivers, each
     * message to one of them; the cell's fan-out is then 1.
     */
    void spreadOver(int consumers) {
        this.spread = consumers;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public void prepare(Phase phase) throws Exception {
        int linger = fixedLinger != null ? fixedLinger : phase == Phase.THROUGHPUT ? DEFAULT_LINGER_MS : 0;
        if (current != null && linger == currentLinger) {
            return;
        }
        if (current != null) {
            current.close();
        }
        current = KafkaPeer.start(dir.resolve("broker-" + (++starts)), flush, linger, jvmOptions, sellerNick, batch);
        currentLinger = linger;
    }

    @Override
    public Cell open(int fanOut, Receipts sink) throws Exception {
        if (current == null) {
            prepare(Phase.THROUGHPUT);
        }
        return spread > 0 ? current.openSpread(spread, sink) : current.open(fanOut, sink);
    }

    @Override
    public void close() throws Exception {
        if (current != null) {
            current.close();
        }
    }
}
