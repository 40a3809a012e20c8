package io.topaz.bench.messaging;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The peer anchor: Apache Kafka 4.1.1, a single KRaft node (broker and controller in one process, as Kafka's
 * quickstart runs it), started as a separate JVM from this module's classpath ({@code kafka.tools.StorageTool format
 * --standalone}, then {@code kafka.Kafka}), so it has its own heap and collector as each Topaz agent has.
 *
 * <p>The workload's analogue of Topaz's: Topaz stores a message once per owning agent and appends a reference to it to
 * each receiving app's queue; here the message is written once to one topic (one partition: one ordered queue, as
 * each Topaz (app, group) queue is) and each subscribed app is a consumer group reading the whole partition and
 * committing its offset after each batch it received (the analogue of {@code taobao.tmc.messages.confirm}). Producers
 * use {@code acks=all} (idempotent, {@code linger.ms=0}). Durability: Kafka acknowledges on replication, not on
 * fsync; this peer flushes the log every 2 ms ({@code log.flush.interval.ms} and the flusher's schedule), the
 * interval of Topaz's group commit — unless {@code flush=append}, where every append is fsynced before it is
 * acknowledged ({@code log.flush.interval.messages=1}), which is what "acknowledged = durable" means on one node.
 */
final class KafkaPeer implements MessagingPeer {

    /**
     * When the broker fsyncs: every 2 ms behind the acknowledgements, every append before it, or never (Kafka's
     * default, the page cache only: a reference point, not the comparison).
     */
    enum Flush { INTERVAL, APPEND, NONE }

    private final Process process;
    private final String bootstrap;
    private final Admin admin;
    private final KafkaProducer<String, String> producer;
    private final String sellerNick;
    private final Flush flush;
    private final int batch;
    private final AtomicInteger cells = new AtomicInteger();

    private KafkaPeer(Process process, String bootstrap, Flush flush, String sellerNick, int batch) {
        this.process = process;
        this.batch = batch;
        this.bootstrap = bootstrap;
        this.flush = flush;
        this.sellerNick = sellerNick;
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(a);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
    }

    /**
     * Formats a fresh log directory under {@code dir} and starts the broker process with {@code jvmOptions}; returns
     * once it accepts connections. Consumers poll up to {@code batch} records, as Topaz's consume asks for up to
     * {@code quantity} messages.
     */
    static KafkaPeer start(Path dir, Flush flush, int commitLingerMs, List<String> jvmOptions, String sellerNick,
                           int batch) throws Exception {
        int port = Ports.free();
        int controllerPort = Ports.free();
        Path logs = dir.resolve("kafka-logs");
        Files.createDirectories(logs);
        StringBuilder props = new StringBuilder()
                .append("process.roles=broker,controller\nnode.id=1\n")
                .append("controller.quorum.bootstrap.servers=127.0.0.1:").append(controllerPort).append('\n')
                .append("listeners=PLAINTEXT://127.0.0.1:").append(port)
                .append(",CONTROLLER://127.0.0.1:").append(controllerPort).append('\n')
                .append("advertised.listeners=PLAINTEXT://127.0.0.1:").append(port).append('\n')
                .append("controller.listener.names=CONTROLLER\n")
                .append("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n")
                .append("log.dirs=").append(logs).append('\n')
                .append("num.partitions=1\ndefault.replication.factor=1\nmin.insync.replicas=1\n")
                .append("offsets.topic.replication.factor=1\noffsets.topic.num.partitions=1\n")
                .append("transaction.state.log.replication.factor=1\ntransaction.state.log.min.isr=1\n")
                .append("share.coordinator.state.topic.replication.factor=1\nshare.coordinator.state.topic.min.isr=1\n")
                .append("group.initial.rebalance.delay.ms=0\nauto.create.topics.enable=false\n")
                // An offset commit (the analogue of a confirm) waits this long for other writes of the group
                // coordinator, to write them together: see KafkaPhases for which value each phase runs with.
                .append("group.coordinator.append.linger.ms=").append(commitLingerMs).append('\n');
        if (flush == Flush.INTERVAL) {
            // The flusher runs every log.flush.scheduler.interval.ms (default: never) and fsyncs the logs not
            // flushed for log.flush.interval.ms.
            props.append("log.flush.interval.ms=2\nlog.flush.scheduler.interval.ms=2\n");
        } else if (flush == Flush.APPEND) {
            props.append("log.flush.interval.messages=1\n");
        }
        Path config = dir.resolve("server.properties");
        Files.writeString(config, props);

        List<String> java = new ArrayList<>(List.of(javaBinary(), "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=bench-logback.xml"));
        List<String> format = new ArrayList<>(java);
        format.addAll(List.of("-Xmx256m", "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c",
                config.toString(), "--standalone"));
        Process f = new ProcessBuilder(format).redirectErrorStream(true)
                .redirectOutput(dir.resolve("kafka-format.log").toFile()).start();
        if (!f.waitFor(60, TimeUnit.SECONDS) || f.exitValue() != 0) {
            throw new IllegalStateException("formatting Kafka's log directory failed: "
                    + Files.readString(dir.resolve("kafka-format.log")));
        }
        List<String> server = new ArrayList<>(java);
        server.addAll(jvmOptions);
        server.addAll(List.of("kafka.Kafka", config.toString()));
        Process process = new ProcessBuilder(server).redirectErrorStream(true)
                .redirectOutput(dir.resolve("kafka.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Ports.accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("Kafka did not start; see " + dir.resolve("kafka.log"));
            }
            Thread.sleep(200);
        }
        return new KafkaPeer(process, "127.0.0.1:" + port, flush, sellerNick, batch);
    }

    @Override
    public String name() {
        return "kafka";
    }

    Flush flush() {
        return flush;
    }

    @Override
    public Cell open(int fanOut, Receipts sink) throws Exception {
        String topic = "bench-f" + fanOut + "-" + cells.incrementAndGet();
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
        for (int g = 0; g < fanOut; g++) {
            KafkaConsumer<String, String> consumer = consumer(topic + "-app" + g);
            consumer.subscribe(List.of(topic));
            consumers.add(consumer);
        }
        List<Thread> loops = startLoops(consumers, sink, topic);
        return new Cell() {
            @Override
            public Sender newSender() {
                return new Sender() {
                    @Override
                    public void send(String content) throws Exception {
                        producer.send(new ProducerRecord<>(topic, sellerNick, content)).get(30, TimeUnit.SECONDS);
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public void close() throws Exception {
                consumers.forEach(KafkaConsumer::wakeup);
                for (Thread loop : loops) {
                    loop.join(30_000);
                }
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
        };
    }

    /**
     * The push benchmark's shape: {@code consumers} receivers, each message to one of them — per receiver a topic of
     * one partition read by one consumer group (the analogue of an app's own queue); a message goes to the topic of
     * receiver {@code seq % consumers} ({@link Payload#seq}).
     */
    Cell openSpread(int consumers, Receipts sink) throws Exception {
        int cell = cells.incrementAndGet();
        List<String> topics = new ArrayList<>();
        List<NewTopic> created = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            topics.add("bench-spread" + cell + "-" + i);
            created.add(new NewTopic(topics.get(i), 1, (short) 1));
        }
        admin.createTopics(created).all().get(60, TimeUnit.SECONDS);
        List<KafkaConsumer<String, String>> all = new ArrayList<>();
        for (String topic : topics) {
            KafkaConsumer<String, String> consumer = consumer(topic + "-app");
            consumer.subscribe(List.of(topic));
            all.add(consumer);
        }
        List<Thread> loops = startLoops(all, sink, "bench-spread" + cell);
        return new Cell() {
            @Override
            public Sender newSender() {
                return new Sender() {
                    @Override
                    public void send(String content) throws Exception {
                        String topic = topics.get((int) Math.floorMod(Payload.seq(content), (long) consumers));
                        producer.send(new ProducerRecord<>(topic, sellerNick, content)).get(30, TimeUnit.SECONDS);
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public void close() throws Exception {
                all.forEach(KafkaConsumer::wakeup);
                for (Thread loop : loops) {
                    loop.join(30_000);
                }
                admin.deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
            }
        };
    }

    private KafkaConsumer<String, String> consumer(String group) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(batch));
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(c);
    }

    /**
     * Waits until every consumer has its partition (so no message waits for a rebalance), then starts one consume
     * loop per consumer.
     */
    private static List<Thread> startLoops(List<KafkaConsumer<String, String>> consumers, Receipts sink, String name) {
        for (KafkaConsumer<String, String> consumer : consumers) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.assignment().isEmpty()) {
                ConsumerRecords<String, String> none = consumer.poll(Duration.ofMillis(100));
                if (!none.isEmpty()) {
                    throw new IllegalStateException("records in a fresh topic");
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a consumer of " + name + " got no partition in 60 s");
                }
            }
        }
        List<Thread> loops = new ArrayList<>();
        for (int g = 0; g < consumers.size(); g++) {
            KafkaConsumer<String, String> consumer = consumers.get(g);
            Thread loop = new Thread(() -> consume(consumer, sink), name + "-app" + g);
            loop.setDaemon(true);
            loop.start();
            loops.add(loop);
        }
        return loops;
    }

    private static void consume(KafkaConsumer<String, String> consumer, Receipts sink) {
        try (consumer) {
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(1));
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<String, String> r : records) {
                    sink.received(r.value());
                }
                consumer.commitSync();
            }
        } catch (WakeupException stop) {
            // closing the cell
        }
    }

    @Override
    public void close() throws Exception {
        producer.close(Duration.ofSeconds(10));
        admin.close(Duration.ofSeconds(10));
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String clusterId() {
        return clusterId(UUID::randomUUID);
    }

    /**
     * A Kafka cluster id: 16 random bytes in URL-safe base64. One id in 64 starts with '-', which
     * {@code kafka-storage format -t} takes for an option ("expected one argument"), so such ids are drawn again, as
     * Kafka's own {@code Uuid.randomUuid()} does.
     */
    static String clusterId(Supplier<UUID> uuids) {
        while (true) {
            UUID u = uuids.get();
            ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                    .putLong(u.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }
}
