package io.topaz.bench.messaging;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Topaz under test: a {@link TopazCluster} of processes, seeded with a producer app, one topic per fan-out
 * ({@code topaz_bench_Fanout1}, {@code topaz_bench_Fanout10}) produced by it, consumer apps subscribed to them (one
 * app for the first, ten for the second), and one seller who has permitted every consumer app. Producers call
 * {@code taobao.tmc.message.produce} through the agents' gateways (signed TOP calls; the answer means durable at every
 * owner); each consumer app is one {@link TmcConsumerLoop}. Producers and consumers are spread over the agents'
 * gateways round-robin.
 */
final class TopazPeer implements MessagingPeer {

    static final String SELLER_ID = "3100000777";

    private final TopazCluster cluster;
    private final String producerSecret;
    private final Map<Integer, Map<String, String>> consumersByFanOut; // fan-out → app key → secret
    private final int quantity;
    private final long idleMillis;
    private final AtomicInteger nextGateway = new AtomicInteger();
    final AtomicLong consumeErrors = new AtomicLong();

    private TopazPeer(TopazCluster cluster, String producerSecret, Map<Integer, Map<String, String>> consumers,
                      int quantity, long idleMillis) {
        this.cluster = cluster;
        this.producerSecret = producerSecret;
        this.consumersByFanOut = consumers;
        this.quantity = quantity;
        this.idleMillis = idleMillis;
    }

    static TopazPeer start(TopazCluster cluster, List<Integer> fanOuts, String sellerNick, int quantity,
                           long idleMillis) throws Exception {
        String producerSecret = cluster.createApp("bench-producer");
        Map<Integer, Map<String, String>> consumers = new LinkedHashMap<>();
        List<String> allApps = new ArrayList<>();
        for (int fanOut : fanOuts) {
            String topic = topic(fanOut);
            cluster.admin("POST", "/api/v1/topics", "{\"name\":\"" + topic + "\",\"group\":\"topaz_bench\","
                    + "\"description\":\"bench\",\"producerApps\":[\"bench-producer\"],\"dataIdField\":\"tid\"}", 201);
            Map<String, String> apps = new LinkedHashMap<>();
            for (int i = 1; i <= fanOut; i++) {
                String app = String.format("bench-f%d-app%02d", fanOut, i);
                apps.put(app, cluster.createApp(app));
                cluster.admin("POST", "/api/v1/subscriptions", "{\"appKey\":\"" + app + "\",\"topics\":[\"" + topic
                        + "\"]}", 201);
                allApps.add(app);
            }
            consumers.put(fanOut, apps);
        }
        cluster.publishAndAwait();
        cluster.permitAll(SELLER_ID, sellerNick, allApps);
        return new TopazPeer(cluster, producerSecret, consumers, quantity, idleMillis);
    }

    static String topic(int fanOut) {
        return "topaz_bench_Fanout" + fanOut;
    }

    @Override
    public String name() {
        return "topaz";
    }

    @Override
    public Cell open(int fanOut, Receipts sink) {
        Map<String, String> apps = consumersByFanOut.get(fanOut);
        if (apps == null) {
            throw new IllegalArgumentException("fan-out " + fanOut + " was not seeded");
        }
        List<TmcConsumerLoop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (Map.Entry<String, String> app : apps.entrySet()) {
            TmcConsumerLoop loop = new TmcConsumerLoop(gateway(), app.getKey(), app.getValue(), quantity, idleMillis,
                    r -> sink.received(r.content()), consumeErrors, System.err::println);
            Thread t = new Thread(loop, "consume-" + app.getKey());
            t.setDaemon(true);
            t.start();
            loops.add(loop);
            threads.add(t);
        }
        String topic = topic(fanOut);
        return new Cell() {
            @Override
            public Sender newSender() {
                TopClient client = new TopClient(gateway(), "bench-producer", producerSecret, 30_000);
                return new Sender() {
                    @Override
                    public void send(String content) throws Exception {
                        JsonNode r = client.call("taobao.tmc.message.produce", Map.of("topic", topic, "content",
                                content));
                        if (r.has("is_success") && !r.get("is_success").asBoolean()) {
                            throw new IllegalStateException("produce not successful: " + r);
                        }
                    }

                    @Override
                    public void close() {
                        client.close();
                    }
                };
            }

            @Override
            public void close() throws InterruptedException {
                loops.forEach(TmcConsumerLoop::stop);
                for (Thread t : threads) {
                    t.join(30_000);
                }
            }
        };
    }

    private java.net.URI gateway() {
        List<TopazCluster.Agent> agents = cluster.agents();
        return agents.get(Math.floorMod(nextGateway.getAndIncrement(), agents.size())).gateway();
    }

    @Override
    public void close() {
        cluster.close();
    }
}
