package io.topaz.bench.sync;

import io.topaz.agent.sync.OrderRow;
import io.topaz.model.config.SellerGroup;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Orders as a trade center changes them, one change at a time: a seller is picked with a Zipf skew (a few hot
 * sellers), then either a new order ({@code WAIT_BUYER_PAY}, topic {@code taobao_trade_TradeCreate}) or a step of one
 * of its open orders — pay, ship, finish ({@code taobao_trade_TradeChanged}), close ({@code taobao_trade_TradeClose}),
 * a memo or address change, and for some finished or closed orders a logical delete ({@code deleted}, with
 * {@code modified} bumped). {@code modified} has millisecond precision and grows strictly per order. The document is
 * the order as TOP's {@code taobao.trade.fullinfo.get} returns it: sub-orders, the receiver's address, times in the
 * platform's zone (GMT+8).
 *
 * <p>With a {@code burst} probability b, a change of an order not yet shipped is followed at once, with probability
 * b, by the next step of the same order (the next change the generator asks for): an order changes in bursts — placed
 * and paid at checkout, the seller's memo or the buyer's address edit, shipped (which ends the burst) — each a row
 * write and a message, milliseconds apart, as a trade center writes them and TOP pushes a message per change. Later
 * steps (confirmed, finished, deleted) come one at a time. b = 0: every change picks a seller and one of its open
 * orders afresh. Not thread-safe; deterministic for a given seed and clock readings.
 */
public final class TradeCenter {

    public static final String CREATE = "taobao_trade_TradeCreate";
    public static final String CHANGED = "taobao_trade_TradeChanged";
    public static final String CLOSE = "taobao_trade_TradeClose";

    static final ZoneId PLATFORM_ZONE = ZoneId.of("Asia/Shanghai");
    static final DateTimeFormatter TOP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(PLATFORM_ZONE);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] CITIES = {"Hangzhou", "Shanghai", "Beijing", "Shenzhen", "Chengdu", "Wuhan"};

    /** A seller: TOP user id, nick and bucket ({@code SellerGroup.bucketOf(Long.toString(id))}). */
    public record Seller(long id, String nick, int bucket) {
        public static Seller of(long id, String nick) {
            return new Seller(id, nick, SellerGroup.bucketOf(Long.toString(id)));
        }
    }

    /** One change: the order's new row, its payment, and the message topic announcing it. */
    public record Change(OrderRow row, BigDecimal payment, String topic, Seller seller) {
    }

    private static final class Order {
        final long tid;
        final Seller seller;
        final int sellerIndex;
        final String buyer;
        final long created;
        final List<long[]> items = new ArrayList<>(); // oid, num_iid, price in cents, quantity
        final String city;
        String status = "WAIT_BUYER_PAY";
        long modified;
        int memo;
        int address;
        boolean deleted;

        Order(long tid, Seller seller, int sellerIndex, String buyer, long created, String city) {
            this.tid = tid;
            this.seller = seller;
            this.sellerIndex = sellerIndex;
            this.buyer = buyer;
            this.created = created;
            this.modified = created;
            this.city = city;
        }

        boolean terminal() {
            return status.equals("TRADE_FINISHED") || status.startsWith("TRADE_CLOSED");
        }
    }

    private final List<Seller> sellers;
    private final Zipf zipf;
    private final int openPerSeller;
    private final Random random;
    private final double burst;
    private final List<List<Order>> open;
    private Order bursting; // the order whose burst goes on with the next change, or null
    private long nextTid;
    private long changes;

    /**
     * @param sellers       the sellers, hottest first
     * @param skew          the Zipf exponent over {@code sellers} (0: uniform; 1.1: a few hot sellers)
     * @param openPerSeller how many open orders a seller has at most (fewer: more changes per order)
     * @param firstTid      the first order id
     */
    public TradeCenter(List<Seller> sellers, double skew, int openPerSeller, long firstTid, Random random) {
        this(sellers, skew, openPerSeller, 0, firstTid, random);
    }

    /** @param burst the probability that an order's change is followed at once by its next change (0 to below 1) */
    public TradeCenter(List<Seller> sellers, double skew, int openPerSeller, double burst, long firstTid,
                       Random random) {
        if (sellers.isEmpty() || openPerSeller < 1) {
            throw new IllegalArgumentException("need at least one seller and one open order per seller");
        }
        if (!(burst >= 0 && burst < 1)) {
            throw new IllegalArgumentException("burst must be at least 0 and below 1");
        }
        this.burst = burst;
        this.sellers = List.copyOf(sellers);
        this.zipf = new Zipf(sellers.size(), skew);
        this.openPerSeller = openPerSeller;
        this.random = random;
        this.nextTid = firstTid;
        this.open = new ArrayList<>(sellers.size());
        for (int i = 0; i < sellers.size(); i++) {
            open.add(new ArrayList<>());
        }
    }

    /** The sellers {@code n} generated ids from {@code firstId}: the first has {@code firstNick}, the others numbered. */
    public static List<Seller> sellers(int n, long firstId, String firstNick) {
        List<Seller> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Seller.of(firstId + i, i == 0 ? firstNick : "topaz_seller_" + (firstId + i)));
        }
        return out;
    }

    public long changes() {
        return changes;
    }

    /** The next change, at {@code nowMillis} (its {@code modified}, unless the order's last change was as late). */
    public Change next(long nowMillis) {
        Order b = bursting;
        bursting = null;
        if (b != null) {
            List<Order> orders = open.get(b.sellerIndex);
            int i = orders.indexOf(b);
            if (i >= 0 && beforeShipping(b)) {
                Change c = step(orders, i, b, nowMillis);
                if (c != null) {
                    return c;
                }
            }
        }
        while (true) {
            int s = zipf.sample(random);
            List<Order> orders = open.get(s);
            if (orders.isEmpty() || (orders.size() < openPerSeller && random.nextInt(4) == 0)) {
                return create(s, orders, nowMillis);
            }
            int i = random.nextInt(orders.size());
            Change c = step(orders, i, orders.get(i), nowMillis);
            if (c != null) {
                return c;
            }
        }
    }

    /** A burst goes on while the order has not shipped: placed, paid, edited, then shipped ends it. */
    private static boolean beforeShipping(Order o) {
        return !o.deleted && (o.status.equals("WAIT_BUYER_PAY") || o.status.equals("WAIT_SELLER_SEND_GOODS"));
    }

    /** The order's next change, or null when it left the open orders quietly. */
    private Change step(List<Order> orders, int i, Order o, long nowMillis) {
        String topic = step(o);
        if (topic == null) { // a finished or closed order leaves the seller's open orders, quietly
            orders.set(i, orders.get(orders.size() - 1));
            orders.remove(orders.size() - 1);
            return null;
        }
        if (o.deleted) {
            orders.set(i, orders.get(orders.size() - 1));
            orders.remove(orders.size() - 1);
        } else if (beforeShipping(o) && burst > 0 && random.nextDouble() < burst) {
            bursting = o;
        }
        o.modified = Math.max(nowMillis, o.modified + 1);
        return change(o, topic);
    }

    /** A new order of a seller picked with the skew, not kept open (bulk loads: one row per order). */
    public Change newOrder(long nowMillis) {
        return create(zipf.sample(random), null, nowMillis);
    }

    private Change create(int sellerIndex, List<Order> orders, long now) {
        Order o = new Order(nextTid++, sellers.get(sellerIndex), sellerIndex, "buyer_" + random.nextInt(1_000_000),
                now, CITIES[random.nextInt(CITIES.length)]);
        int items = 1 + random.nextInt(3);
        for (int k = 0; k < items; k++) {
            o.items.add(new long[] {o.tid * 10 + k, 500_000_000L + random.nextInt(1_000_000),
                    100 + random.nextInt(50_000), 1 + random.nextInt(3)});
        }
        if (orders != null) {
            orders.add(o);
            if (burst > 0 && random.nextDouble() < burst) {
                bursting = o;
            }
        }
        return change(o, CREATE);
    }

    /** Moves the order one step; the topic of the change, or null when the order should leave the open list. */
    private String step(Order o) {
        int r = random.nextInt(100);
        switch (o.status) {
            case "WAIT_BUYER_PAY" -> {
                if (r < 75) {
                    o.status = "WAIT_SELLER_SEND_GOODS";
                } else if (r < 90) {
                    o.status = "TRADE_CLOSED_BY_TAOBAO";
                    return CLOSE;
                } else {
                    o.memo++;
                }
            }
            case "WAIT_SELLER_SEND_GOODS" -> {
                if (r < 75) {
                    o.status = "WAIT_BUYER_CONFIRM_GOODS";
                } else if (r < 80) {
                    o.status = "TRADE_CLOSED";
                    return CLOSE;
                } else if (r < 90) {
                    o.address++;
                } else {
                    o.memo++;
                }
            }
            case "WAIT_BUYER_CONFIRM_GOODS" -> {
                if (r < 85) {
                    o.status = "TRADE_FINISHED";
                } else {
                    o.memo++;
                }
            }
            default -> { // finished or closed: some are deleted (logically), the rest leave the open list
                if (r >= 20) {
                    return null;
                }
                o.deleted = true;
            }
        }
        return CHANGED;
    }

    private Change change(Order o, String topic) {
        changes++;
        BigDecimal payment = payment(o);
        OrderRow row = new OrderRow(o.tid, o.seller.id(), o.seller.nick(), o.buyer, o.status, "fixed",
                Instant.ofEpochMilli(o.created), Instant.ofEpochMilli(o.modified), o.deleted, o.seller.bucket(),
                document(o, payment));
        return new Change(row, payment, topic, o.seller);
    }

    private static BigDecimal payment(Order o) {
        long cents = 0;
        for (long[] it : o.items) {
            cents += it[2] * it[3];
        }
        return BigDecimal.valueOf(cents).movePointLeft(2).setScale(2, RoundingMode.UNNECESSARY);
    }

    /** The order as {@code taobao.trade.fullinfo.get}'s {@code trade}. */
    static String document(Order o, BigDecimal payment) {
        ObjectNode t = JSON.createObjectNode();
        t.put("tid", o.tid);
        t.put("status", o.status);
        t.put("type", "fixed");
        t.put("seller_nick", o.seller.nick());
        t.put("buyer_nick", o.buyer);
        t.put("created", TOP_TIME.format(Instant.ofEpochMilli(o.created)));
        t.put("modified", TOP_TIME.format(Instant.ofEpochMilli(o.modified)));
        t.put("payment", payment.toPlainString());
        t.put("total_fee", payment.toPlainString());
        t.put("post_fee", "0.00");
        t.put("receiver_name", o.buyer);
        t.put("receiver_state", "Zhejiang");
        t.put("receiver_city", o.city);
        t.put("receiver_address", (100 + o.address) + " Wensan Road, " + o.city);
        t.put("receiver_zip", "310000");
        t.put("seller_memo", o.memo == 0 ? "" : "memo " + o.memo);
        ArrayNode list = t.putObject("orders").putArray("order");
        for (long[] it : o.items) {
            ObjectNode sub = list.addObject();
            sub.put("oid", it[0]);
            sub.put("num_iid", it[1]);
            sub.put("title", "Demo item " + it[1]);
            sub.put("price", BigDecimal.valueOf(it[2]).movePointLeft(2).toPlainString());
            sub.put("num", it[3]);
            sub.put("status", o.status);
        }
        return JSON.writeValueAsString(t);
    }

    /** The TOP trade message's content for a change: tid, the seller (id and nick), status, payment, modified. */
    public static String message(Change c) {
        ObjectNode m = JSON.createObjectNode();
        m.put("tid", c.row().tid());
        m.put("seller_id", c.seller().id());
        m.put("seller_nick", c.seller().nick());
        m.put("buyer_nick", c.row().buyerNick());
        m.put("status", c.row().status());
        m.put("type", c.row().type());
        m.put("payment", c.payment().toPlainString());
        m.put("modified", TOP_TIME.format(c.row().modified()));
        return JSON.writeValueAsString(m);
    }
}
