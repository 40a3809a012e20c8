package io.topaz.agent.broker.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Rendezvous (highest random weight) hashing: a key goes to the member whose hash of (key, member) is highest. Every
 * agent computes the same owner from the same members without coordination, and a membership change moves only the
 * keys of the member that came or went. The hash is FNV-1a 64 finished by MurmurHash3's fmix64, over UTF-8 bytes: the
 * same in every JVM (never {@code Object.hashCode}).
 */
public final class Rendezvous {

    private Rendezvous() {
    }

    /** The member of {@code members} that owns {@code key}, or null when there is none. Ties go to the smaller id. */
    public static String owner(String key, Collection<String> members) {
        String best = null;
        long bestWeight = 0;
        long keyHash = hash(key, 0xcbf29ce484222325L);
        for (String m : members) {
            long w = fmix64(hash(m, keyHash));
            if (best == null || Long.compareUnsigned(w, bestWeight) > 0
                    || w == bestWeight && m.compareTo(best) < 0) {
                best = m;
                bestWeight = w;
            }
        }
        return best;
    }

    static long hash(String s, long seed) {
        long h = seed;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= 0xff; // a separator, so ("ab","c") and ("a","bc") differ
        h *= 0x100000001b3L;
        return h;
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
