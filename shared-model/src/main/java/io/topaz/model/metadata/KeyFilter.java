package io.topaz.model.metadata;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A Bloom filter of every existing key of one metadata kind (app keys, session key hashes), built by the control plane
 * and shipped to agents in Guava's serial form. Lookups for keys it rejects never leave the agent.
 *
 * <p>Thread-safe: Guava's {@link BloomFilter} allows concurrent {@code put} and {@code mightContain}.
 */
public final class KeyFilter {

    private final BloomFilter<CharSequence> filter;
    private final long expectedInsertions;
    private final double falsePositiveRate;

    private KeyFilter(BloomFilter<CharSequence> filter, long expectedInsertions, double falsePositiveRate) {
        this.filter = filter;
        this.expectedInsertions = expectedInsertions;
        this.falsePositiveRate = falsePositiveRate;
    }

    /** An empty filter sized for {@code expectedInsertions} keys at {@code falsePositiveRate}. */
    public static KeyFilter create(long expectedInsertions, double falsePositiveRate) {
        long n = Math.max(1_000, expectedInsertions);
        return new KeyFilter(BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8), n, falsePositiveRate),
                n, falsePositiveRate);
    }

    public void put(String key) {
        filter.put(key);
    }

    public boolean mightContain(String key) {
        return filter.mightContain(key);
    }

    public long expectedInsertions() {
        return expectedInsertions;
    }

    public double falsePositiveRate() {
        return falsePositiveRate;
    }

    /** The estimated number of keys put so far. */
    public long approximateCount() {
        return filter.approximateElementCount();
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            filter.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static KeyFilter fromBytes(byte[] bytes, long expectedInsertions, double falsePositiveRate) {
        try {
            return new KeyFilter(BloomFilter.readFrom(new ByteArrayInputStream(bytes),
                    Funnels.stringFunnel(StandardCharsets.UTF_8)), expectedInsertions, falsePositiveRate);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a Bloom filter: " + e.getMessage(), e);
        }
    }
}
