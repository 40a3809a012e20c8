package io.topaz.agent.sync.db;

import io.topaz.agent.sync.OrderRow;
import io.topaz.model.config.SellerGroup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Order rows for tests: deterministic documents (non-ASCII included), sellers spread over the buckets. */
public final class TestOrders {

    public static final long T0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();

    private TestOrders() {
    }

    public static long sellerOf(long tid) {
        return 1_000 + tid % 97;
    }

    /** Order {@code tid} at version {@code modifiedMillis}, its document varying with {@code status}. */
    public static OrderRow row(long tid, long modifiedMillis, String status) {
        return row(tid, modifiedMillis, status, false);
    }

    public static OrderRow row(long tid, long modifiedMillis, String status, boolean deleted) {
        long seller = sellerOf(tid);
        String document = "{\"tid\":" + tid + ",\"status\":\"" + status + "\",\"seller_nick\":\"店铺" + seller
                + "\",\"receiver_name\":\"Zoë 张\",\"orders\":[{\"oid\":" + (tid * 10 + 1)
                + ",\"title\":\"茶叶 ✓\",\"num\":2}],\"modified\":" + modifiedMillis + "}";
        return new OrderRow(tid, seller, "店铺" + seller, "buyer" + (tid % 1000), status, "fixed",
                Instant.ofEpochMilli(T0), Instant.ofEpochMilli(modifiedMillis), deleted,
                SellerGroup.bucketOf(Long.toString(seller)), document);
    }

    /** Orders {@code [fromTid, toTid)}, each at {@code T0 + tid} milliseconds. */
    public static List<OrderRow> rows(long fromTid, long toTid) {
        List<OrderRow> rows = new ArrayList<>();
        for (long tid = fromTid; tid < toTid; tid++) {
            rows.add(row(tid, T0 + tid, "WAIT_SELLER_SEND_GOODS"));
        }
        return rows;
    }
}
