package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.SyncCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The target passwords the engine opens its groups' pools with, and which of them changed since. A group's pool keeps
 * the password it was opened with, so a password set, changed or removed at the control plane (a {@code SYNC_TARGET}
 * metadata event, or missed events: any may have changed) reaches a running group only by restarting it: the engine
 * restarts the groups whose target's password now differs from the one they run with ({@link #changedFor}). Only a
 * digest of each group's password is kept with it, so nothing that may be printed holds the password.
 */
final class TargetPasswords {

    private static final Logger log = LoggerFactory.getLogger(TargetPasswords.class);

    private final SyncCredentials credentials;
    private final Set<String> changed = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean anyChanged = new AtomicBoolean();

    TargetPasswords(SyncCredentials credentials) {
        this.credentials = credentials;
        credentials.onChange(target -> {
            if (target == null) {
                anyChanged.set(true);
            } else {
                changed.add(target);
            }
        });
    }

    /** The target's password now (blocking, at most 10 s: on the engine's control thread). */
    String password(String target) throws Exception {
        return credentials.password(target).get(10, TimeUnit.SECONDS);
    }

    /**
     * The running groups (by key) whose target's password changed since they started: asked again only for targets
     * an event named since the last call (all targets after missed events). A target whose password cannot be read
     * now is asked again at the next call.
     */
    List<String> changedFor(Map<String, SyncEngine.Running> running) {
        boolean any = anyChanged.getAndSet(false);
        if (!any && changed.isEmpty()) {
            return List.of();
        }
        Set<String> targets = new HashSet<>(changed);
        changed.removeAll(targets);
        List<String> restart = new ArrayList<>();
        Map<String, String> digests = new HashMap<>();
        for (Map.Entry<String, SyncEngine.Running> e : running.entrySet()) {
            String target = e.getValue().config().name();
            if (!any && !targets.contains(target)) {
                continue;
            }
            String now = digests.get(target);
            if (now == null) {
                try {
                    now = digest(password(target));
                } catch (Exception ex) {
                    changed.add(target);
                    log.debug("order sync: the password of target {} cannot be read now ({}); asking again",
                            target, SyncFailure.why(ex));
                    continue;
                }
                digests.put(target, now);
            }
            if (!now.equals(e.getValue().passwordDigest())) {
                restart.add(e.getKey());
            }
        }
        return restart;
    }

    static String digest(String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
