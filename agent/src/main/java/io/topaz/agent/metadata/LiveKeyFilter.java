package io.topaz.agent.metadata;

import io.topaz.model.metadata.KeyFilter;

import java.util.ArrayList;
import java.util.List;

/**
 * The Bloom filter of existing keys as this agent knows it: the last filter fetched from the control plane plus the
 * keys created since that fetch began. Fetches are numbered; a fetch that completes after a newer one was installed
 * is dropped, so an older filter never replaces a newer one. A key created while fetches are in flight is added to
 * whichever of them is installed, and to the filter in use now.
 *
 * <p>One lock around what changes (install, creation); lookups read the installed filter without it.
 */
final class LiveKeyFilter {

    /**
     * A key created after fetch {@code lastBegun} began (and before the next did): fetches up to that number may lack
     * it, later ones have it.
     */
    private record Created(String key, long lastBegun) {
    }

    private final Object lock = new Object();
    private final List<Created> created = new ArrayList<>();
    private volatile KeyFilter filter;
    private long started;
    private long installed;
    private int inFlight;

    /** Whether a filter was installed: until then every key might exist. */
    boolean present() {
        return filter != null;
    }

    /** False only when the key certainly does not exist. */
    boolean mightContain(String key) {
        KeyFilter f = filter;
        return f == null || f.mightContain(key);
    }

    /** A fetch begins: returns its number, to pass to {@link #install}. */
    long begin() {
        synchronized (lock) {
            inFlight++;
            return ++started;
        }
    }

    /**
     * Installs the filter of fetch {@code number} with the keys created since it began; returns false (and installs
     * nothing) when a newer fetch was installed already.
     */
    boolean install(long number, KeyFilter fetched) {
        synchronized (lock) {
            if (number <= installed) {
                ended();
                return false;
            }
            for (Created c : created) {
                if (c.lastBegun >= number) { // created after this fetch began: the control plane may not have had it
                    fetched.put(c.key);
                }
            }
            created.removeIf(c -> c.lastBegun <= number); // only fetches after this one can still be installed
            ended();
            installed = number;
            filter = fetched;
            return true;
        }
    }

    /** A fetch failed. */
    void failed() {
        synchronized (lock) {
            ended();
        }
    }

    /** With no fetch in flight, the keys created so far are in every fetch to come: forget them. */
    private void ended() {
        if (--inFlight == 0) {
            created.clear();
        }
    }

    /** A key was created: the filter in use passes it now, and so will any fetch still in flight when installed. */
    void created(String key) {
        synchronized (lock) {
            KeyFilter f = filter;
            if (f != null) {
                f.put(key);
            }
            if (inFlight > 0) {
                created.add(new Created(key, started));
            }
        }
    }
}
