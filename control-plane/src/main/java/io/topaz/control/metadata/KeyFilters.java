package io.topaz.control.metadata;

import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.KeyFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Bloom filters of existing keys, one per metadata kind and false-positive rate asked for (agents ask for the
 * rate of their cache rule). A filter is built from the database on first request, then kept current: every key
 * created — here or, through the event stream, by another control plane — is put into every filter of its kind. A
 * filter that has grown past its design size is dropped and rebuilt larger on the next request, so its real rate
 * stays at the rate asked for.
 */
@Component
public class KeyFilters {

    private static final Logger log = LoggerFactory.getLogger(KeyFilters.class);

    private record FilterKey(MetadataKind kind, double rate) {
    }

    /** A filter and whether its initial fill from the database is done; only finished filters are handed out. */
    private static final class Entry {
        final KeyFilter filter;
        volatile boolean ready;

        Entry(KeyFilter filter) {
            this.filter = filter;
        }
    }

    private final Map<FilterKey, Entry> filters = new ConcurrentHashMap<>();
    private final AppService apps;
    private final SessionService sessions;

    KeyFilters(@Lazy AppService apps, @Lazy SessionService sessions) {
        this.apps = apps;
        this.sessions = sessions;
    }

    public KeyFilter filter(MetadataKind kind, double rate) {
        FilterKey fk = new FilterKey(kind, rate);
        Entry existing = filters.get(fk);
        if (existing != null && existing.ready) {
            return existing.filter;
        }
        synchronized (this) {
            existing = filters.get(fk);
            if (existing != null && existing.ready) {
                return existing.filter;
            }
            long count = kind == MetadataKind.APP ? apps.count() : sessions.countLive();
            KeyFilter f = KeyFilter.create(Math.max(10_000, count * 2), rate);
            // Register first, then fill: a key created meanwhile is either put by put() or found by the scan.
            Entry entry = new Entry(f);
            filters.put(fk, entry);
            if (kind == MetadataKind.APP) {
                apps.forEachKey(f::put);
            } else {
                sessions.forEachLiveKey(f::put);
            }
            entry.ready = true;
            log.info("built the {} key filter: {} keys, sized for {}, false-positive rate {}", kind, count,
                    f.expectedInsertions(), rate);
            return f;
        }
    }

    /** Puts a newly created key into every filter of its kind. */
    public void put(MetadataKind kind, String key) {
        filters.forEach((fk, e) -> {
            if (fk.kind() == kind) {
                e.filter.put(key);
                if (e.ready && e.filter.approximateCount() > e.filter.expectedInsertions()) {
                    filters.remove(fk, e);
                }
            }
        });
    }
}
