package io.topaz.agent.traffic;

import io.topaz.model.storage.DurableReplace;
import io.topaz.model.storage.FileOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This agent's daily quota counts for the current calendar day in the platform's zone, kept on local disk so they
 * survive a restart. Two counts per rule: {@code local}, the calls this agent passed on its own (single-node rules,
 * and cluster rules while in fallback), and {@code unsynced}, the fallback calls not yet added to the cluster counter.
 *
 * <p>A new day starts with zero counts. The file is replaced atomically ({@code quota-counts.properties}) by
 * {@link #flush}, which the traffic controller calls every second when something changed and on close; a crash loses
 * at most the last second's counts.
 */
final class QuotaCounts {

    private static final Logger log = LoggerFactory.getLogger(QuotaCounts.class);

    /**
     * @param startMillis the day's first millisecond in the zone
     * @param endMillis   the next day's first millisecond in the zone: a call before it counts in this day
     */
    private record Day(LocalDate date, long startMillis, long endMillis, Map<String, AtomicLong> local,
                       Map<String, AtomicLong> unsynced) {
        static Day of(LocalDate date, ZoneId zone) {
            return new Day(date, firstMillis(date, zone), firstMillis(date.plusDays(1), zone),
                    new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }

        boolean holds(long nowMillis) {
            return nowMillis >= startMillis && nowMillis < endMillis;
        }
    }

    private static long firstMillis(LocalDate date, ZoneId zone) {
        return date.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    private final FileOperations files;
    private final Path file;
    private final ZoneId zone;
    private final java.util.concurrent.atomic.AtomicReference<Day> day = new java.util.concurrent.atomic.AtomicReference<>();
    private final Object flushLock = new Object();
    private volatile boolean dirty;

    QuotaCounts(Path file, ZoneId zone, long nowMillis) {
        this(FileOperations.real(), file, zone, nowMillis);
    }

    /** @param files how the counts file is written (tests pass one that can cut the power) */
    QuotaCounts(FileOperations files, Path file, ZoneId zone, long nowMillis) {
        this.files = files;
        this.file = file;
        this.zone = zone;
        this.day.set(load(file, date(nowMillis)));
    }

    ZoneId zone() {
        return zone;
    }

    /** The day of {@code nowMillis} in the zone: no calendar arithmetic within the current day (every call). */
    LocalDate date(long nowMillis) {
        Day d = day.get();
        return d != null && d.holds(nowMillis) ? d.date : LocalDate.ofInstant(Instant.ofEpochMilli(nowMillis), zone);
    }

    /** Milliseconds from {@code nowMillis} to the next midnight in the zone. */
    long millisToMidnight(long nowMillis) {
        Day d = day.get();
        long midnight = d != null && d.holds(nowMillis) ? d.endMillis
                : firstMillis(date(nowMillis).plusDays(1), zone);
        return Math.max(1, midnight - nowMillis);
    }

    AtomicLong local(String rule, long nowMillis) {
        return today(nowMillis).local.computeIfAbsent(rule, r -> new AtomicLong());
    }

    AtomicLong unsynced(String rule, long nowMillis) {
        return today(nowMillis).unsynced.computeIfAbsent(rule, r -> new AtomicLong());
    }

    void changed() {
        if (!dirty) { // read first: a write per call would bounce the cache line between event loops
            dirty = true;
        }
    }

    /** The counts of the day of {@code nowMillis}; a new day replaces the old one without a lock (event loops). */
    private Day today(long nowMillis) {
        Day d = day.get();
        if (nowMillis < d.endMillis) { // every call but the first of a day: no calendar arithmetic
            return d; // today, or a call stamped just before midnight counted in the new day
        }
        LocalDate date = date(nowMillis);
        while (d.date.isBefore(date)) {
            Day next = Day.of(date, zone);
            if (day.compareAndSet(d, next)) {
                log.info("quota counts: a new day ({} in {}); counting from zero", date, zone);
                dirty = true;
                return next;
            }
            d = day.get();
        }
        return d;
    }

    /** Writes the counts if they changed since the last flush (never on an event loop: the flusher thread, close). */
    void flush() {
        synchronized (flushLock) {
            doFlush();
        }
    }

    private void doFlush() {
        if (!dirty) {
            return;
        }
        dirty = false;
        Day d = day.get();
        Map<String, String> out = new TreeMap<>();
        out.put("day", d.date.toString());
        out.put("zone", zone.getId());
        d.local.forEach((rule, n) -> out.put("local." + rule, Long.toString(n.get())));
        d.unsynced.forEach((rule, n) -> out.put("unsynced." + rule, Long.toString(n.get())));
        StringBuilder text = new StringBuilder(
                "# Topaz agent: daily quota counts of one day (see docs/architecture.md, traffic control)\n");
        out.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        try {
            // Durable, directory included: a power loss must not bring back older (lower) counts.
            DurableReplace.replace(files, file, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            dirty = true;
            log.warn("quota counts: cannot write {} ({}); retrying", file, e.getMessage());
        }
    }

    private Day load(Path file, LocalDate today) {
        Day d = Day.of(today, zone);
        if (!Files.exists(file)) {
            return d;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            LocalDate saved = LocalDate.parse(p.getProperty("day", "1970-01-01"));
            if (!saved.equals(today) || !zone.getId().equals(p.getProperty("zone"))) {
                log.info("quota counts in {} are of {} ({}); today is {} in {}: starting from zero", file, saved,
                        p.getProperty("zone"), today, zone);
                return d;
            }
            for (String name : p.stringPropertyNames()) {
                if (name.startsWith("local.")) {
                    d.local.put(name.substring(6), new AtomicLong(Long.parseLong(p.getProperty(name))));
                } else if (name.startsWith("unsynced.")) {
                    d.unsynced.put(name.substring(9), new AtomicLong(Long.parseLong(p.getProperty(name))));
                }
            }
            log.info("quota counts of {} restored from {} ({} rules)", today, file, d.local.size());
        } catch (IOException | RuntimeException e) {
            log.warn("quota counts: cannot read {} ({}); starting from zero", file, e.getMessage());
        }
        return d;
    }
}
