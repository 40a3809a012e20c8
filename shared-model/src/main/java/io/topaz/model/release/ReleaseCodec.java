package io.topaz.model.release;

import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.json.Json;
import tools.jackson.databind.JavaType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Turns a {@link ConfigSnapshot} into a manifest plus content-addressed blobs and back.
 *
 * <p>Each kind's entries are split into a power-of-two number of buckets by a stable hash of the key, chosen so that a
 * bucket's JSON stays near {@link #TARGET_BUCKET_BYTES}; a bucket is named by the SHA-256 of its JSON and stored
 * gzip'd. Buckets are independent of the release number, so unchanged buckets are shared by every release that holds
 * them.
 */
public final class ReleaseCodec {

    /** Aim for buckets of this much JSON; ZooKeeper's node limit is 1 MB and gzip usually shrinks JSON 5-10x. */
    public static final int TARGET_BUCKET_BYTES = 128 * 1024;
    /** No bucket's JSON may exceed this (before compression), whatever the hash skew. */
    public static final int MAX_BUCKET_BYTES = 768 * 1024;

    private ReleaseCodec() {
    }

    public static EncodedRelease encode(ConfigSnapshot snapshot, String message, String author, long createdAtMillis,
                                        Long rollbackOf) {
        Map<String, KindBlobs> kinds = new LinkedHashMap<>();
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        for (ConfigKind<?> kind : ConfigKind.all()) {
            Map<String, ? extends ConfigEntry> items = snapshot.items(kind);
            if (items.isEmpty()) {
                continue;
            }
            List<byte[]> encoded = new ArrayList<>(items.size());
            List<String> keys = new ArrayList<>(items.size());
            long total = 0;
            for (ConfigEntry e : items.values()) {
                byte[] json = Json.write(e);
                encoded.add(json);
                keys.add(e.key());
                total += json.length + 1;
            }
            int buckets = Integer.highestOneBit((int) Math.max(1, (total + TARGET_BUCKET_BYTES - 1) / TARGET_BUCKET_BYTES));
            if (buckets < (total + TARGET_BUCKET_BYTES - 1) / TARGET_BUCKET_BYTES) {
                buckets <<= 1;
            }
            List<byte[]> bucketJson;
            while (true) {
                bucketJson = split(keys, encoded, buckets);
                int max = bucketJson.stream().mapToInt(b -> b.length).max().orElse(0);
                if (max <= MAX_BUCKET_BYTES || buckets >= (1 << 16)) {
                    break;
                }
                buckets <<= 1;
            }
            List<String> hashes = new ArrayList<>(buckets);
            for (byte[] json : bucketJson) {
                String hash = sha256(json);
                hashes.add(hash);
                blobs.computeIfAbsent(hash, h -> gzip(json));
            }
            kinds.put(kind.name(), new KindBlobs(items.size(), hashes));
        }
        ReleaseManifest manifest = new ReleaseManifest(snapshot.release(), message, author, createdAtMillis, rollbackOf, kinds);
        return new EncodedRelease(manifest, blobs);
    }

    /**
     * Rebuilds the snapshot a manifest describes.
     *
     * @param blobLoader the gzip'd bytes of a blob by hash
     * @throws IllegalStateException when a blob is missing or its content does not match its hash
     */
    public static ConfigSnapshot decode(ReleaseManifest manifest, Function<String, byte[]> blobLoader) {
        ConfigSnapshot.Builder builder = ConfigSnapshot.builder(manifest.number());
        for (Map.Entry<String, KindBlobs> e : manifest.kinds().entrySet()) {
            ConfigKind<?> kind = ConfigKind.byName(e.getKey()).orElse(null);
            if (kind == null) {
                continue; // a kind this build does not know: written by a newer control plane
            }
            JavaType listType = Json.lenient().getTypeFactory().constructCollectionType(List.class, kind.type());
            for (String hash : e.getValue().blobs()) {
                byte[] gz = blobLoader.apply(hash);
                if (gz == null) {
                    throw new IllegalStateException("release " + manifest.number() + ": blob " + hash + " is missing");
                }
                byte[] json = gunzip(gz);
                if (!sha256(json).equals(hash)) {
                    throw new IllegalStateException("release " + manifest.number() + ": blob " + hash + " is corrupt");
                }
                List<ConfigEntry> entries = Json.lenient().readValue(json, listType);
                for (ConfigEntry entry : entries) {
                    builder.putUnchecked(kind, entry);
                }
            }
        }
        return builder.build();
    }

    /** The bucket of a key among {@code buckets} (a power of two); stable across JVMs. */
    public static int bucketOf(String key, int buckets) {
        int h = key.hashCode() * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (buckets - 1);
    }

    private static List<byte[]> split(List<String> keys, List<byte[]> encoded, int buckets) {
        List<ByteArrayOutputStream> outs = new ArrayList<>(buckets);
        for (int i = 0; i < buckets; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write('[');
            outs.add(out);
        }
        for (int i = 0; i < keys.size(); i++) {
            ByteArrayOutputStream out = outs.get(bucketOf(keys.get(i), buckets));
            if (out.size() > 1) {
                out.write(',');
            }
            out.writeBytes(encoded.get(i));
        }
        List<byte[]> result = new ArrayList<>(buckets);
        for (ByteArrayOutputStream out : outs) {
            out.write(']');
            result.add(out.toByteArray());
        }
        return result;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] gunzip(byte[] bytes) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("blob is not valid gzip", e);
        }
    }
}
