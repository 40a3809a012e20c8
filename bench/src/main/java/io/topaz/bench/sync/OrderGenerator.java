package io.topaz.bench.sync;

import com.zaxxer.hikari.HikariDataSource;
import io.topaz.agent.sync.db.Dialect;
import io.topaz.agent.sync.db.JdbcSourceOrders;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * The order-traffic generator ({@code scripts/orders-demo.sh}): writes orders into the platform's {@code tb_trade} as
 * a trade center does ({@link TradeCenter}: create → pay → ship → finish or close, some logical deletes), each batch in
 * one transaction, and after each commit publishes one TOP trade message per change through the message service —
 * the platform publish on an agent's broker port ({@link BrokerPublisher}) — except a {@code --drop} share, not
 * published at all, as a publisher without an outbox loses messages. Sellers are registered with the control plane
 * first (a message names a seller the platform knows).
 */
public final class OrderGenerator {

    /** What one run did. */
    public record Totals(long changes, long created, long published, long dropped, long acknowledged, long failed,
                         double seconds, String firstError, String stages) {
        double rate() {
            return seconds <= 0 ? 0 : changes / seconds;
        }
    }

    /** The generator's settings; {@link #parse} reads them from flags. */
    public record Settings(int rate, int seconds, int sellers, double drop, double skew, int openPerSeller,
                           String dbUrl, URI broker, String token, String controlUrl, String adminToken,
                           long firstSellerId, String firstSellerNick, long seed, double burst, URI gateway,
                           String appKey, String appSecret) {

        /** Without bursts: each change picks a seller and one of its open orders afresh. */
        public Settings(int rate, int seconds, int sellers, double drop, double skew, int openPerSeller, String dbUrl,
                        URI broker, String token, String controlUrl, String adminToken, long firstSellerId,
                        String firstSellerNick, long seed) {
            this(rate, seconds, sellers, drop, skew, openPerSeller, dbUrl, broker, token, controlUrl, adminToken,
                    firstSellerId, firstSellerNick, seed, 0);
        }

        /** Without permits to give (the caller's setup gives them). */
        public Settings(int rate, int seconds, int sellers, double drop, double skew, int openPerSeller, String dbUrl,
                        URI broker, String token, String controlUrl, String adminToken, long firstSellerId,
                        String firstSellerNick, long seed, double burst) {
            this(rate, seconds, sellers, drop, skew, openPerSeller, dbUrl, broker, token, controlUrl, adminToken,
                    firstSellerId, firstSellerNick, seed, burst, null, null, null);
        }
    }

    private final Settings settings;
    private final DataSource pool;
    private final JdbcSourceOrders orders;
    private final BrokerPublisher publisher;
    private final LongSupplier clock;
    private volatile boolean stopped;
    private long tidFloor;

    /** @param pool the pool {@code orders} runs on */
    OrderGenerator(Settings settings, DataSource pool, JdbcSourceOrders orders, BrokerPublisher publisher,
                   LongSupplier clock) {
        this.settings = settings;
        this.pool = pool;
        this.orders = orders;
        this.publisher = publisher;
        this.clock = clock;
    }

    public static void main(String[] args) throws Exception {
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("orders-demo: " + e.getMessage());
            System.exit(2);
            return;
        }
        OrdersDb.createDatabase(s.dbUrl());
        HikariDataSource pool = OrdersDb.pool(s.dbUrl(), 4);
        int code;
        try (JdbcSourceOrders orders = new JdbcSourceOrders(pool, Dialect.ofUrl(s.dbUrl()))) {
            orders.ensureSchema();
            List<TradeCenter.Seller> sellers = TradeCenter.sellers(s.sellers(), s.firstSellerId(), s.firstSellerNick());
            if (s.controlUrl() != null) {
                registerSellers(s.controlUrl(), s.adminToken(), sellers, null, null); // permits: below, signed
                if (s.gateway() != null && s.appKey() != null && s.appSecret() != null) {
                    new SellerPermits(s.controlUrl(), s.adminToken(), s.gateway(), s.appKey(), s.appSecret())
                            .permitAll(sellers);
                    System.out.printf("orders-demo: the %d sellers permitted app %s (taobao.tmc.user.permit): the "
                            + "order sync copies only their orders%n", sellers.size(), s.appKey());
                }
            }
            System.out.printf("orders-demo: %d changes/s for %d s over %d sellers (Zipf %.2f), dropping %.0f%% of "
                            + "the messages; orders in %s, messages to %s%n", s.rate(), s.seconds(), s.sellers(),
                    s.skew(), s.drop() * 100, redact(s.dbUrl()), s.broker());
            BrokerPublisher publisher = new BrokerPublisher(s.broker(), s.token(), 256);
            Totals t = new OrderGenerator(s, pool, orders, publisher, System::currentTimeMillis).run(sellers, true);
            publisher.close();
            System.out.printf("orders-demo: %d changes (%d new orders) in %.1f s = %.0f/s; %d messages published, "
                            + "%d acknowledged, %d failed, %d dropped on purpose%n", t.changes(), t.created(),
                    t.seconds(), t.rate(), t.published(), t.acknowledged(), t.failed(), t.dropped());
            System.out.println("orders-demo: " + t.stages());
            if (t.firstError() != null) {
                System.out.println("orders-demo: first failure: " + t.firstError());
            }
            code = t.failed() == 0 ? 0 : 1;
        }
        System.exit(code);
    }

    /** Ends {@link #run} at its next batch, before {@code settings.seconds()} are up (its totals stay valid). */
    void stop() {
        stopped = true;
    }

    /**
     * New orders get ids from {@code tid} on (when above the table's highest), so a second generator beside a running
     * one writes orders of its own.
     */
    OrderGenerator tidsFrom(long tid) {
        tidFloor = tid;
        return this;
    }

    /** Runs for {@code settings.seconds()} (or until {@link #stop}) at {@code settings.rate()} changes a second. */
    Totals run(List<TradeCenter.Seller> sellers, boolean progress) throws SQLException, InterruptedException {
        Random random = new Random(settings.seed());
        TradeCenter center = new TradeCenter(sellers, settings.skew(), settings.openPerSeller(), settings.burst(),
                Math.max(firstTid(), tidFloor), random);
        long start = System.nanoTime();
        long end = start + settings.seconds() * 1_000_000_000L;
        long done = 0;
        long created = 0;
        long published = 0;
        long dropped = 0;
        long nextReport = start + 5_000_000_000L;
        int maxBatch = Math.max(1, settings.rate() / 20); // at most 50 ms of changes in one transaction
        List<TradeCenter.Change> batch = new ArrayList<>(maxBatch);
        long generating = 0; // time per stage, in ns: making the changes, writing them, handing the messages over
        long writing = 0;
        long publishing = 0;
        long batches = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end || stopped) {
                break;
            }
            long due = (long) ((now - start) / 1e9 * settings.rate()) - done;
            if (due <= 0) {
                Thread.sleep(2);
                continue;
            }
            batch.clear();
            long t0 = System.nanoTime();
            for (int i = 0; i < Math.min(due, maxBatch); i++) {
                batch.add(center.next(clock.getAsLong()));
            }
            long t1 = System.nanoTime();
            orders.save(batch.stream().map(TradeCenter.Change::row).toList(),
                    row -> batchPayment(batch, row.tid()));
            long t2 = System.nanoTime();
            for (TradeCenter.Change c : batch) { // after the commit: a trade center without an outbox
                if (c.topic().equals(TradeCenter.CREATE)) {
                    created++;
                }
                if (settings.drop() > 0 && random.nextDouble() < settings.drop()) {
                    dropped++;
                    continue;
                }
                publisher.publish(c.topic(), c.seller().id(), TradeCenter.message(c));
                published++;
            }
            done += batch.size();
            batches++;
            generating += t1 - t0;
            writing += t2 - t1;
            publishing += System.nanoTime() - t2;
            if (progress && now >= nextReport) {
                System.out.printf("orders-demo: %.0f s: %d changes, %d published, %d acknowledged, %d failed%n",
                        (now - start) / 1e9, done, published, publisher.acknowledged(), publisher.failed());
                nextReport += 5_000_000_000L;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!publisher.drain(Duration.ofSeconds(60))) {
            System.out.println("orders-demo: some publishes were not answered within 60 s");
        }
        String stages = String.format("%d batches (%.0f changes each); seconds generating %.1f, writing %.1f, "
                        + "publishing (waiting for a slot included) %.1f; publish latency p50 <= %d ms, p99 <= %d ms",
                batches, batches == 0 ? 0.0 : (double) done / batches, generating / 1e9, writing / 1e9,
                publishing / 1e9, publisher.latencyMillis(0.5), publisher.latencyMillis(0.99));
        return new Totals(done, created, published, dropped, publisher.acknowledged(), publisher.failed(), seconds,
                publisher.firstError(), stages);
    }

    private static java.math.BigDecimal batchPayment(List<TradeCenter.Change> batch, long tid) {
        for (TradeCenter.Change c : batch) {
            if (c.row().tid() == tid) {
                return c.payment();
            }
        }
        return null;
    }

    /** After the highest order id in the table, so runs do not collide (1000000001 when it is empty). */
    private long firstTid() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT MAX(tid) FROM tb_trade")) {
            rs.next();
            long max = rs.getLong(1);
            return Math.max(1_000_000_001L, max + 1);
        }
    }

    /**
     * Registers the sellers with the control plane ({@code POST /api/v1/users}) unless they exist and, with an app
     * and an AGENT token, has each permit the app unless it has (a session of the app, then the permit, as a seller
     * permits an app with {@code taobao.tmc.user.permit}): the order sync copies only the sellers who permitted the
     * sync target's app.
     */
    static void registerSellers(String controlUrl, String adminToken, List<TradeCenter.Seller> sellers, String app,
                                String agentToken) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int added = 0;
        int permitted = 0;
        for (TradeCenter.Seller s : sellers) {
            if (call(http, "GET", controlUrl + "/api/v1/users/" + s.id(), adminToken, null).statusCode() != 200) {
                HttpResponse<String> r = call(http, "POST", controlUrl + "/api/v1/users", adminToken,
                        "{\"userId\":\"" + s.id() + "\",\"nick\":\"" + s.nick() + "\"}");
                if (r.statusCode() != 201) {
                    throw new IllegalStateException("registering seller " + s.nick() + " (" + s.id() + ") failed: "
                            + "HTTP " + r.statusCode() + " " + r.body());
                }
                added++;
            }
            if (app == null || agentToken == null) {
                continue;
            }
            String permits = controlUrl + "/api/v1/metadata/tmc/apps/" + app + "/permits";
            if (call(http, "GET", permits + "?nick=" + java.net.URLEncoder.encode(s.nick(),
                    java.nio.charset.StandardCharsets.UTF_8), agentToken, null).statusCode() == 200) {
                continue;
            }
            HttpResponse<String> session = call(http, "POST", controlUrl + "/api/v1/sessions", adminToken,
                    "{\"appKey\":\"" + app + "\",\"userId\":\"" + s.id() + "\"}");
            HttpResponse<String> permit = session.statusCode() != 201 ? session
                    : call(http, "POST", permits + "/permit", agentToken, "{\"userId\":\"" + s.id() + "\"}");
            if (permit.statusCode() != 200) {
                throw new IllegalStateException("seller " + s.nick() + " permitting app " + app + " failed: HTTP "
                        + permit.statusCode() + " " + permit.body());
            }
            permitted++;
        }
        if (app == null && added > 0) {
            System.out.println("orders-demo: registered " + added + " sellers with the control plane");
        } else if (added > 0 || permitted > 0) {
            System.out.println("orders-demo: registered " + added + " sellers with the control plane; " + permitted
                    + " permitted app " + app + " (the order sync copies the sellers who permitted it)");
        }
    }

    private static HttpResponse<String> call(HttpClient http, String method, String url, String token, String json)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10));
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Settings parse(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("rate", "50");
        v.put("seconds", "30");
        v.put("sellers", "100");
        v.put("drop", "0");
        v.put("skew", "1.1");
        v.put("open-per-seller", "20");
        v.put("burst", "0");
        v.put("db-url", System.getenv("TOPAZ_ORDERS_DB_URL"));
        v.put("broker", null);
        v.put("token", System.getenv("TOPAZ_PUBLISHER_TOKEN"));
        v.put("control-url", null);
        v.put("admin-token", System.getenv("TOPAZ_TOKEN"));
        v.put("first-seller-id", "3100000001");
        v.put("first-seller-nick", "topaz_demo_seller");
        v.put("seed", "18");
        v.put("gateway", System.getenv("TOPAZ_GATEWAY_URL"));
        v.put("app-key", System.getenv("TOPAZ_APP_KEY"));
        v.put("app-secret", System.getenv("TOPAZ_APP_SECRET"));
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : args[i];
            if (!v.containsKey(name)) {
                throw new IllegalArgumentException("unknown flag " + args[i] + "; flags: " + v.keySet());
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            v.put(name, args[i + 1]);
        }
        int rate = whole(v, "rate", 1, 1_000_000);
        int seconds = whole(v, "seconds", 1, 86_400);
        int sellers = whole(v, "sellers", 1, 1_000_000);
        double drop = fraction(v, "drop", 0, 1);
        double skew = fraction(v, "skew", 0, 10);
        int open = whole(v, "open-per-seller", 1, 100_000);
        double burst = fraction(v, "burst", 0, 0.95);
        if (v.get("db-url") == null || v.get("db-url").isBlank()) {
            throw new IllegalArgumentException("--db-url (or TOPAZ_ORDERS_DB_URL) is required: the platform's order "
                    + "database, e.g. jdbc:postgresql://127.0.0.1:5432/topaz_orders?user=postgres");
        }
        if (v.get("broker") == null || v.get("token") == null) {
            throw new IllegalArgumentException("--broker (an agent's broker port, e.g. http://127.0.0.1:8081) and "
                    + "--token (a PUBLISHER token, or TOPAZ_PUBLISHER_TOKEN) are required");
        }
        long firstSeller;
        long seed;
        try {
            firstSeller = Long.parseLong(v.get("first-seller-id"));
            seed = Long.parseLong(v.get("seed"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--first-seller-id and --seed must be whole numbers");
        }
        return new Settings(rate, seconds, sellers, drop, skew, open, v.get("db-url"), URI.create(v.get("broker")),
                v.get("token"), v.get("control-url"), v.get("admin-token"), firstSeller, v.get("first-seller-nick"),
                seed, burst, v.get("gateway") == null ? null : URI.create(v.get("gateway")), v.get("app-key"),
                v.get("app-secret"));
    }

    private static int whole(Map<String, String> v, String name, int min, int max) {
        try {
            int n = Integer.parseInt(v.get(name));
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--" + name + " must be a whole number from " + min + " to " + max
                + " (got '" + v.get(name) + "')");
    }

    private static double fraction(Map<String, String> v, String name, double min, double max) {
        try {
            double d = Double.parseDouble(v.get(name));
            if (d >= min && d <= max) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--" + name + " must be a number from " + min + " to " + max + " (got '"
                + v.get(name) + "')");
    }

    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
