package io.topaz.control.release;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.config.DraftStore;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.ReleaseCodec;
import io.topaz.model.release.ReleaseManifest;
import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.ReleaseValidator;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Publishing: the draft becomes an immutable, numbered release; rollback republishes an earlier release's content as a
 * new release and resets the draft to it. Publishes are serialized by a ZooKeeper mutex, so two control planes never
 * race for a number.
 */
@Service
public class ReleaseService {

    private static final Logger log = LoggerFactory.getLogger(ReleaseService.class);
    private static final int MAX_MESSAGE = 1000;

    private final DraftStore drafts;
    private final ReleaseStore releases;
    private final AuditLog audit;
    private final Clock clock;
    private final InterProcessMutex publishLock;
    private final Timer publishTimer;

    ReleaseService(DraftStore drafts, ReleaseStore releases, AuditLog audit, Clock clock, CuratorFramework curator,
                   ZkLayout layout, MeterRegistry meters) {
        this.drafts = drafts;
        this.releases = releases;
        this.audit = audit;
        this.clock = clock;
        this.publishLock = new InterProcessMutex(curator, layout.publishLock());
        this.publishTimer = Timer.builder("topaz.release.publish").description("time to publish a release")
                .publishPercentileHistogram().register(meters);
    }

    public ConfigSnapshot liveContent() throws Exception {
        return releases.live().map(releases::content).orElse(ConfigSnapshot.empty());
    }

    public long liveNumber() throws Exception {
        return releases.live().map(ReleaseManifest::number).orElse(0L);
    }

    public DraftDiff diff() throws Exception {
        ConfigSnapshot live = liveContent();
        return DraftDiff.between(live, drafts.snapshot(live.release()));
    }

    public List<ReleaseSummary> history(int offset, int limit) throws Exception {
        long live = liveNumber();
        List<Long> numbers = releases.numbers();
        List<Long> page = numbers.subList(Math.min(offset, numbers.size()), Math.min(numbers.size(), offset + limit));
        return page.stream().map(n -> {
            try {
                return releases.manifest(n).map(m -> ReleaseSummary.of(m, live)).orElse(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).filter(java.util.Objects::nonNull).toList();
    }

    public ReleaseManifest manifest(long number) throws Exception {
        return releases.manifest(number).orElseThrow(() -> ApiException.notFound("release " + number + " does not exist"));
    }

    public ConfigSnapshot content(long number) throws Exception {
        return releases.content(manifest(number));
    }

    /** Publishes the draft. Refused when the draft equals the live release or breaks a cross-entry rule. */
    public ReleaseSummary publish(String message, String actor) throws Exception {
        String msg = message(message);
        return locked(() -> {
            long start = System.nanoTime();
            ConfigSnapshot live = liveContent();
            ReleaseStore.Counter counter = releases.nextNumber();
            ConfigSnapshot draft = drafts.snapshot(counter.next());
            DraftDiff diff = DraftDiff.between(live, draft);
            if (diff.isEmpty() && live.release() > 0) {
                throw ApiException.conflict("nothing to publish: the draft equals live release " + live.release());
            }
            try {
                ReleaseValidator.check(draft);
            } catch (ConfigValidationException e) {
                // The number was only reserved: name the draft, not a release that was never created.
                throw new ConfigValidationException("the draft (nothing was published)", e.errors());
            }
            EncodedRelease encoded = ReleaseCodec.encode(draft, msg, actor, clock.millis(), null);
            releases.write(encoded, counter);
            publishTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            audit.record(actor, AuditAction.PUBLISH, null, null, counter.next(), null,
                    AuditLog.detail("message", msg, "changes", diff.changes().size(), "entries", draft.size()));
            log.info("release {} published by {}: {} changes, {} entries", counter.next(), actor, diff.changes().size(),
                    draft.size());
            return ReleaseSummary.of(encoded.manifest(), counter.next());
        });
    }

    /** Publishes the content of release {@code target} again as a new release and resets the draft to it. */
    public ReleaseSummary rollback(long target, String message, String actor) throws Exception {
        String msg = message == null || message.isBlank() ? "rollback to release " + target : message(message);
        return locked(() -> {
            ReleaseManifest targetManifest = manifest(target);
            ConfigSnapshot content = releases.content(targetManifest);
            ConfigSnapshot live = liveContent();
            if (DraftDiff.between(live, content).isEmpty()) {
                // As a publish of an unchanged draft: an identical release would only add a number.
                throw ApiException.conflict("nothing to roll back: release " + target + " has the same content as "
                        + "live release " + live.release());
            }
            ReleaseStore.Counter counter = releases.nextNumber();
            ConfigSnapshot next = content.withRelease(counter.next());
            EncodedRelease encoded = ReleaseCodec.encode(next, msg, actor, clock.millis(), target);
            releases.write(encoded, counter);
            int draftChanges = 0;
            for (ConfigKind<?> kind : ConfigKind.all()) {
                draftChanges += resetDraft(kind, content, actor);
            }
            audit.record(actor, AuditAction.ROLLBACK, null, null, counter.next(), null,
                    AuditLog.detail("message", msg, "rollbackOf", target, "draftChanges", draftChanges));
            log.info("release {} published by {} as a rollback to release {}", counter.next(), actor, target);
            return ReleaseSummary.of(encoded.manifest(), counter.next());
        });
    }

    private <T extends ConfigEntry> int resetDraft(ConfigKind<T> kind, ConfigSnapshot content, String actor)
            throws Exception {
        Map<String, T> target = content.items(kind);
        return drafts.replaceAll(kind, target, actor);
    }

    private static String message(String message) {
        if (message == null || message.isBlank()) {
            throw ApiException.badRequest("message is required: say what this release changes and why");
        }
        if (message.length() > MAX_MESSAGE) {
            throw ApiException.badRequest("message must be at most " + MAX_MESSAGE + " characters, was " + message.length());
        }
        return message;
    }

    private interface Work<T> {
        T run() throws Exception;
    }

    private <T> T locked(Work<T> work) throws Exception {
        if (!publishLock.acquire(30, TimeUnit.SECONDS)) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "another publish is in progress; retry shortly");
        }
        try {
            return work.run();
        } finally {
            publishLock.release();
        }
    }
}
