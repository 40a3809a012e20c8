package io.topaz.agent.sync;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares two tid-ordered key lists of the same range. A tid found on one side only may lie outside the range on
 * the other (its {@code modified} moved), so those are looked up by tid before they are classified.
 */
final class KeyDiff {

    private KeyDiff() {
    }

    static List<Difference> diff(List<OrderKey> sourceKeys, List<OrderKey> targetKeys, SourceOrders source,
                                 TargetOrders target) throws SQLException {
        Map<Long, OrderKey> s = byTid(sourceKeys);
        Map<Long, OrderKey> t = byTid(targetKeys);
        List<Long> onlySource = new ArrayList<>();
        List<Long> onlyTarget = new ArrayList<>();
        s.keySet().forEach(tid -> {
            if (!t.containsKey(tid)) {
                onlySource.add(tid);
            }
        });
        t.keySet().forEach(tid -> {
            if (!s.containsKey(tid)) {
                onlyTarget.add(tid);
            }
        });
        if (!onlySource.isEmpty()) {
            target.keysOf(onlySource).forEach(k -> t.put(k.tid(), k));
        }
        if (!onlyTarget.isEmpty()) {
            source.read(onlyTarget).forEach(r -> s.put(r.tid(), r.key()));
        }
        List<Difference> differences = new ArrayList<>();
        Map<Long, Boolean> seen = new HashMap<>();
        for (Map<Long, OrderKey> side : List.of(s, t)) {
            for (Long tid : side.keySet()) {
                if (seen.putIfAbsent(tid, true) == null) {
                    Difference.Reason reason = Difference.compare(s.get(tid), t.get(tid));
                    if (reason != null) {
                        differences.add(new Difference(tid, reason, s.get(tid), t.get(tid)));
                    }
                }
            }
        }
        differences.sort(Comparator.comparingLong(Difference::tid));
        return differences;
    }

    private static Map<Long, OrderKey> byTid(List<OrderKey> keys) {
        Map<Long, OrderKey> map = new HashMap<>(keys.size() * 2);
        keys.forEach(k -> map.put(k.tid(), k));
        return map;
    }
}
