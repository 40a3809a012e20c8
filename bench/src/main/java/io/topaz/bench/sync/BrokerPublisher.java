package io.topaz.bench.sync;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Publishes trade messages as a platform service does: {@code POST /internal/v1/publish} on an agent's broker port
 * with a {@code PUBLISHER} token, naming the seller by {@code userId} (no signature, no producer app: the trade
 * center is the platform, not an app). Each publish is answered once the message is durable at every receiving
 * queue's owner: one request, one message.
 *
 * <p>The requests go over {@code connections} persistent HTTP/1.1 keep-alive connections, each with its own thread
 * sending one request and reading its answer before the next (an order service's connection pool). At most
 * {@code maxInFlight} publishes are queued or outstanding; {@link #publish} waits for a slot, so a slow broker slows the
 * caller instead of queueing without bound. (The JDK's {@code HttpClient}, used before, opened a connection per
 * concurrent request and started a thread per completion — about 14,000 thread starts in 25 s at 540 publishes/s —
 * and that, not the broker, bounded the generator at about 1,000 changes/s: {@code docs/benchmarks.md}.)
 */
final class BrokerPublisher implements AutoCloseable {

    /** Upper bounds (ms) of the latency histogram's buckets; the last bucket is everything above. */
    private static final long[] BOUNDS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000};

    private final String host;
    private final int port;
    private final byte[] head;
    private final Semaphore slots;
    private final int maxInFlight;
    private final BlockingQueue<byte[]> queue;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLongArray latency = new AtomicLongArray(BOUNDS.length + 1);
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private volatile boolean closed;

    /** @param broker the broker port's base, e.g. {@code http://127.0.0.1:8081} */
    BrokerPublisher(URI broker, String token, int maxInFlight) {
        this(broker, token, maxInFlight, 16);
    }

    /** @param connections how many keep-alive connections (and threads) publish in parallel */
    BrokerPublisher(URI broker, String token, int maxInFlight, int connections) {
        if (!"http".equals(broker.getScheme())) {
            throw new IllegalArgumentException("the broker URL must be http://host:port (got " + broker + ")");
        }
        this.host = broker.getHost();
        this.port = broker.getPort() > 0 ? broker.getPort() : 80;
        this.head = ("POST /internal/v1/publish HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: Bearer "
                + token + "\r\nContent-Type: application/json\r\nContent-Length: ")
                .getBytes(StandardCharsets.US_ASCII);
        this.maxInFlight = maxInFlight;
        this.slots = new Semaphore(maxInFlight);
        this.queue = new ArrayBlockingQueue<>(maxInFlight);
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(this::work, "broker-publisher-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    /** Publishes {@code content} (a JSON object) of {@code topic} about seller {@code userId}. */
    void publish(String topic, long userId, String content) throws InterruptedException {
        slots.acquire();
        String body = "{\"topic\":\"" + topic + "\",\"userId\":" + userId + ",\"content\":" + content + "}";
        queue.put(body.getBytes(StandardCharsets.UTF_8));
    }

    /** One keep-alive connection, used by one worker thread. */
    private record Connection(Socket socket, InputStream in, OutputStream out) {
        static Connection open(String host, int port) throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.setSoTimeout(30_000);
            s.connect(new InetSocketAddress(host, port), 5_000);
            return new Connection(s, new BufferedInputStream(s.getInputStream(), 8192), s.getOutputStream());
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }

    private void work() {
        Connection socket = null;
        byte[] body = null;
        while (!closed) {
            try {
                if (body == null) {
                    body = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (body == null) {
                        continue;
                    }
                }
                if (socket == null) {
                    socket = Connection.open(host, port);
                }
                long start = System.nanoTime();
                Answer a = send(socket, body);
                record((System.nanoTime() - start) / 1_000_000);
                if (a.status() == 200) {
                    acknowledged.incrementAndGet();
                } else {
                    fail("HTTP " + a.status() + " " + a.body());
                }
                if (!a.keepAlive()) {
                    socket.close();
                    socket = null;
                }
                body = null;
                slots.release();
            } catch (InterruptedException e) {
                break;
            } catch (IOException e) { // the connection broke: this message failed, a new connection for the next
                fail(String.valueOf(e));
                if (socket != null) {
                    socket.close();
                }
                socket = null;
                body = null;
                slots.release();
            }
        }
        if (socket != null) {
            socket.close();
        }
    }

    private record Answer(int status, String body, boolean keepAlive) {
    }

    private Answer send(Connection c, byte[] body) throws IOException {
        OutputStream out = c.out();
        byte[] length = (body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + length.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(length, 0, request, head.length, length.length);
        System.arraycopy(body, 0, request, head.length + length.length, body.length);
        out.write(request);
        out.flush();
        InputStream in = c.in();
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + status);
        }
        int contentLength = 0;
        boolean keepAlive = true;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                contentLength = Integer.parseInt(value);
            } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
                keepAlive = false;
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                throw new IOException("chunked answers are not expected from the broker port");
            }
        }
        byte[] answer = in.readNBytes(contentLength);
        if (answer.length < contentLength) {
            throw new IOException("the answer ended early");
        }
        return new Answer(Integer.parseInt(parts[1]), new String(answer, StandardCharsets.UTF_8), keepAlive);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection closed mid-answer");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private void record(long millis) {
        int i = 0;
        while (i < BOUNDS.length && millis > BOUNDS[i]) {
            i++;
        }
        latency.incrementAndGet(i);
    }

    private void fail(String error) {
        failed.incrementAndGet();
        firstError.compareAndSet(null, error);
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

    /** The publish latency's quantile {@code q} (0..1), as the upper bound of its histogram bucket, in ms. */
    long latencyMillis(double q) {
        long total = 0;
        for (int i = 0; i < latency.length(); i++) {
            total += latency.get(i);
        }
        long seen = 0;
        for (int i = 0; i < latency.length(); i++) {
            seen += latency.get(i);
            if (total > 0 && seen >= q * total) {
                return i < BOUNDS.length ? BOUNDS[i] : Long.MAX_VALUE;
            }
        }
        return 0;
    }

    /** Stops the connections' threads (after {@link #drain}). */
    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            t.interrupt();
        }
    }
}
