package io.topaz.bench.messaging;

import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One consumer of one app by pull, as a TOP client polls: {@code taobao.tmc.messages.consume} (up to
 * {@code quantity}), hand each message to the sink, then {@code taobao.tmc.messages.confirm} the batch with
 * {@code s_message_ids}. An empty answer waits {@code idleMillis} before the next call (the TMC methods answer at once,
 * they do not hold the call until a message comes). A failed call is counted, waited for (100 ms) and retried.
 */
final class TmcConsumerLoop implements Runnable {

    /** What one received message tells the sink: its id (TOP's) and content. */
    record Received(long id, String content) {
    }

    private final TopClient client;
    private final int quantity;
    private final long idleNanos;
    private final Consumer<Received> sink;
    private final AtomicLong errors;
    private final Consumer<String> firstErrors;
    private volatile boolean running = true;

    TmcConsumerLoop(URI gateway, String appKey, String secret, int quantity, long idleMillis, Consumer<Received> sink,
                    AtomicLong errors, Consumer<String> firstErrors) {
        this.client = new TopClient(gateway, appKey, secret, 10_000);
        this.quantity = quantity;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        this.sink = sink;
        this.errors = errors;
        this.firstErrors = firstErrors;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        Map<String, String> consume = Map.of("quantity", Integer.toString(quantity));
        List<String> ids = new ArrayList<>(quantity);
        try (client) {
            while (running) {
                try {
                    JsonNode answer = client.call("taobao.tmc.messages.consume", consume);
                    JsonNode messages = answer.path("messages").path("tmc_message");
                    if (!messages.isArray() || messages.isEmpty()) {
                        LockSupport.parkNanos(idleNanos);
                        continue;
                    }
                    ids.clear();
                    for (JsonNode m : messages) {
                        long id = m.get("id").asLong();
                        JsonNode content = m.get("content"); // a JSON object as a string, as TOP sends it
                        sink.accept(new Received(id, content.isObject() ? content.toString() : content.asString()));
                        ids.add(Long.toString(id));
                    }
                    client.call("taobao.tmc.messages.confirm", Map.of("s_message_ids", String.join(",", ids)));
                } catch (Exception e) {
                    if (errors.incrementAndGet() <= 5) {
                        firstErrors.accept(Thread.currentThread().getName() + ": " + e);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        }
    }
}
