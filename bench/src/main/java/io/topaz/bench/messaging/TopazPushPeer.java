package io.topaz.bench.messaging;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Topaz under the push benchmark: {@code consumers} apps, each subscribed to a topic of its own
 * ({@code topaz_bench_Push001} …) and each with one WebSocket connection ({@link TmcPushClient}) to agent 1's broker
 * port, and one seller who has permitted every app. A message goes to one app: the topic of app
 * {@code seq % consumers}.
 *
 * <p>Producers publish as a platform service does — TOP's own event sources (the trade system publishing order
 * events) are not ISV apps calling the TOP API: {@code POST /internal/v1/publish} on the agent's broker port with a
 * {@code PUBLISHER} token, one kept-alive connection per producer thread ({@link BlockingHttp}); the answer means
 * the message is durable at its queue's owner.
 */
final class TopazPushPeer implements MessagingPeer {

    static final String SELLER_ID = "3100000888";

    private final TopazCluster cluster;
    private final Map<String, String> apps; // app key → secret, in consumer order
    private final String publisherToken;
    private final EventLoopGroup loops;

    private TopazPushPeer(TopazCluster cluster, Map<String, String> apps, String publisherToken, int clientThreads) {
        this.cluster = cluster;
        this.apps = apps;
        this.publisherToken = publisherToken;
        this.loops = new MultiThreadIoEventLoopGroup(clientThreads, NioIoHandler.newFactory());
    }

    /** Seeds the apps, topics, subscriptions, the seller's permits and a publisher token. */
    static TopazPushPeer start(TopazCluster cluster, int consumers, String sellerNick, int clientThreads)
            throws Exception {
        Map<String, String> apps = new LinkedHashMap<>();
        for (int i = 0; i < consumers; i++) {
            String app = String.format("bench-push-app%03d", i);
            String topic = topic(i);
            cluster.admin("POST", "/api/v1/topics", "{\"name\":\"" + topic + "\",\"group\":\"topaz_bench\","
                    + "\"description\":\"push bench\",\"dataIdField\":\"tid\"}", 201);
            apps.put(app, cluster.createApp(app));
            cluster.admin("POST", "/api/v1/subscriptions", "{\"appKey\":\"" + app + "\",\"topics\":[\"" + topic
                    + "\"]}", 201);
        }
        cluster.publishAndAwait();
        cluster.permitAll(SELLER_ID, sellerNick, new ArrayList<>(apps.keySet()));
        cluster.admin("DELETE", "/api/v1/tokens/bench-publisher", null, -1);
        String token = cluster.admin("POST", "/api/v1/tokens", "{\"name\":\"bench-publisher\",\"role\":\"PUBLISHER\"}",
                201).get("token").asString();
        return new TopazPushPeer(cluster, apps, token, clientThreads);
    }

    static String topic(int consumer) {
        return String.format("topaz_bench_Push%03d", consumer);
    }

    TopazCluster cluster() {
        return cluster;
    }

    @Override
    public String name() {
        return "topaz";
    }

    /** Connects every app's client (the fan-out is always 1: each message to one app). */
    @Override
    public Cell open(int fanOut, Receipts sink) throws Exception {
        TopazCluster.Agent agent = cluster.agents().get(0);
        URI ws = URI.create("ws://127.0.0.1:" + agent.brokerPort + "/");
        List<CompletableFuture<TmcPushClient>> connecting = new ArrayList<>();
        for (Map.Entry<String, String> app : apps.entrySet()) {
            connecting.add(TmcPushClient.connect(loops, ws, app.getKey(), app.getValue(), "default",
                    send -> sink.received(send.string("content"))));
        }
        List<TmcPushClient> clients = new ArrayList<>();
        for (CompletableFuture<TmcPushClient> c : connecting) {
            clients.add(c.get(30, TimeUnit.SECONDS));
        }
        int consumers = apps.size();
        return new Cell() {
            @Override
            public Sender newSender() {
                BlockingHttp http = new BlockingHttp(agent.broker(), 30_000);
                String authorization = "Bearer " + publisherToken;
                return new Sender() {
                    @Override
                    public void send(String content) throws Exception {
                        String topic = topic((int) Math.floorMod(Payload.seq(content), (long) consumers));
                        byte[] body = ("{\"topic\":\"" + topic + "\",\"userId\":\"" + SELLER_ID + "\",\"content\":"
                                + content + "}").getBytes(StandardCharsets.UTF_8);
                        BlockingHttp.Answer a = http.post("/internal/v1/publish", "application/json", body,
                                authorization);
                        if (a.status() != 200) {
                            throw new IllegalStateException("publish → " + a.status() + ": " + a.text());
                        }
                    }

                    @Override
                    public void close() {
                        http.close();
                    }
                };
            }

            @Override
            public void close() {
                clients.forEach(TmcPushClient::close);
            }
        };
    }

    @Override
    public void close() {
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        cluster.close();
    }
}
