package io.topaz.agent.broker.push.confirm;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The confirmation tiers' bounds ({@link Confirmations}).
 *
 * @param heapEntries  confirmations held on the heap before the direct tier is used ({@code --push-confirm-heap});
 *                     0 skips the heap tier
 * @param directBytes  bytes of direct (off-heap) memory for the next ones ({@code --push-confirm-direct}); 0 skips it
 * @param dir          the file tier's directory ({@code data-dir/push-confirm}); null for a fresh temporary one (tests:
 *                     nothing survives a restart then)
 * @param fileBytes    a confirmation file's size before the next one starts
 * @param batch        confirmations applied together (grouped per queue into one {@code Broker.confirm} each)
 * @param applyTimeout how long the drainer waits for a batch's {@code Broker.confirm} calls before it goes on (an
 *                     unanswered confirm leaves the message in flight: redelivered after the timeout)
 */
public record ConfirmSettings(int heapEntries, long directBytes, Path dir, long fileBytes, int batch,
                              Duration applyTimeout) {

    public ConfirmSettings {
        if (heapEntries < 0 || directBytes < 0 || directBytes > Integer.MAX_VALUE - 8 || fileBytes < 1024
                || batch < 1) {
            throw new IllegalArgumentException("confirmation tiers out of range: heap " + heapEntries
                    + " confirmations, direct " + directBytes + " bytes (at most 2 GiB), files of " + fileBytes
                    + " bytes, batch " + batch);
        }
    }

    /** 65,536 confirmations on the heap (a few MiB), 16 MiB of direct memory, files of 4 MiB. */
    public static ConfirmSettings defaults() {
        return new ConfirmSettings(65_536, 16L * 1024 * 1024, null, 4L * 1024 * 1024, 512, Duration.ofSeconds(30));
    }

    public ConfirmSettings withBounds(int heap, long direct) {
        return new ConfirmSettings(heap, direct, dir, fileBytes, batch, applyTimeout);
    }

    public ConfirmSettings withDir(Path d) {
        return new ConfirmSettings(heapEntries, directBytes, d, fileBytes, batch, applyTimeout);
    }

    public ConfirmSettings withFileBytes(long bytes) {
        return new ConfirmSettings(heapEntries, directBytes, dir, bytes, batch, applyTimeout);
    }

    public ConfirmSettings withBatch(int n) {
        return new ConfirmSettings(heapEntries, directBytes, dir, fileBytes, n, applyTimeout);
    }
}
