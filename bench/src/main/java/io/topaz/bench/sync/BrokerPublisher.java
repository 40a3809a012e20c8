package io.topaz.bench.sync;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes trade messages as a platform service does: {@code POST /internal/v1/publish} on an agent's broker port
 * with a {@code PUBLISHER} token, naming the seller by {@code userId} (no signature, no producer app: the trade
 * center is the platform, not an app). Each publish is answered once the message is durable at every receiving
 * queue's owner. At most {@code maxInFlight} publishes are outstanding; {@link #publish} waits for a slot, so a slow
 * broker slows the caller instead of queueing without bound.
 */
final class BrokerPublisher {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI publish;
    private final String token;
    private final Semaphore slots;
    private final int maxInFlight;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    /** @param broker the broker port's base, e.g. {@code http://127.0.0.1:8081} */
    BrokerPublisher(URI broker, String token, int maxInFlight) {
        this.publish = broker.resolve("/internal/v1/publish");
        this.token = token;
        this.maxInFlight = maxInFlight;
        this.slots = new Semaphore(maxInFlight);
    }

    /** Publishes {@code content} (a JSON object) of {@code topic} about seller {@code userId}. */
    void publish(String topic, long userId, String content) throws InterruptedException {
        slots.acquire();
        String body = "{\"topic\":\"" + topic + "\",\"userId\":" + userId + ",\"content\":" + content + "}";
        HttpRequest request = HttpRequest.newBuilder(publish).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            slots.release();
            if (e == null && r.statusCode() == 200) {
                acknowledged.incrementAndGet();
                return;
            }
            failed.incrementAndGet();
            firstError.compareAndSet(null, e != null ? String.valueOf(e)
                    : "HTTP " + r.statusCode() + " " + r.body());
        });
    }

    /** Waits until every publish has been answered (at most {@code timeout}); true when they all were. */
    boolean drain(Duration timeout) throws InterruptedException {
        if (slots.tryAcquire(maxInFlight, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            slots.release(maxInFlight);
            return true;
        }
        return false;
    }

    long acknowledged() {
        return acknowledged.get();
    }

    long failed() {
        return failed.get();
    }

    /** The first failure's description, or null. */
    String firstError() {
        return firstError.get();
    }
}
