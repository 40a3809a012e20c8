package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.QueueName;

import java.util.ArrayList;
import java.util.List;

/** The JSON bodies of the broker port's internal API (docs/tmc-protocol.md, "The broker port's internal API"). */
final class Wire {

    private Wire() {
    }

    /** TOP's largest {@code quantity}; keeps a consume answer well under the peer client's 10 MiB bound. */
    static final int MAX_CONSUME = 200;
    static final int MAX_IDS = 10_000;

    record StoreRequest(BrokerMessage message, List<String> queues) {
        List<QueueName> queueNames() {
            require(message != null, "message is required");
            require(queues != null && !queues.isEmpty(), "queues must name at least one queue");
            return parse(queues);
        }
    }

    record HandoffRequest(String queue, List<BrokerMessage> messages) {
        QueueName queueName() {
            require(queue != null, "queue is required");
            require(messages != null, "messages is required");
            for (BrokerMessage m : messages) {
                require(m != null, "messages must not contain null");
            }
            return QueueName.parse(queue);
        }
    }

    record ConsumeRequest(String queue, int max) {
        QueueName queueName() {
            require(queue != null, "queue is required");
            require(max >= 1 && max <= MAX_CONSUME, "max must be 1 to " + MAX_CONSUME);
            return QueueName.parse(queue);
        }
    }

    record ConsumeAnswer(List<Delivery> deliveries) {
    }

    record ConfirmRequest(String queue, long[] confirmed, long[] failed) {
        QueueName queueName() {
            require(queue != null, "queue is required");
            require(size(confirmed) + size(failed) <= MAX_IDS, "at most " + MAX_IDS + " ids");
            return QueueName.parse(queue);
        }

        long[] confirmedOrEmpty() {
            return confirmed == null ? new long[0] : confirmed;
        }

        long[] failedOrEmpty() {
            return failed == null ? new long[0] : failed;
        }

        private static int size(long[] a) {
            return a == null ? 0 : a.length;
        }
    }

    /** {@code dead-letters/replay} and {@code dead-letters/purge}. */
    record AppIds(String app, List<Long> ids) {
        List<Long> validIds() {
            require(app != null && !app.isEmpty(), "app is required");
            require(ids != null && ids.size() <= MAX_IDS, "ids is required, at most " + MAX_IDS);
            for (Long id : ids) {
                require(id != null, "ids must not contain null");
            }
            return ids;
        }
    }

    static List<QueueName> parse(List<String> keys) {
        List<QueueName> names = new ArrayList<>(keys.size());
        for (String k : keys) {
            require(k != null, "queues must not contain null");
            names.add(QueueName.parse(k));
        }
        return names;
    }

    static List<String> keys(List<QueueName> names) {
        List<String> keys = new ArrayList<>(names.size());
        names.forEach(n -> keys.add(n.key()));
        return keys;
    }

    static void require(boolean ok, String reason) {
        if (!ok) {
            throw new IllegalArgumentException(reason);
        }
    }

    /** {@code POST /internal/v1/connections/disconnect}: the push connection's id, and who asks (for its close reason). */
    record Disconnect(String id, String by) {
    }
}
