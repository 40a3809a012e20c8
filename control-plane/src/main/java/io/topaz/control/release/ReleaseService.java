package io.topaz.control.release;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.audit.AuditOutbox;
import io.topaz.control.config.DraftStore;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.PublishTimings;
import io.topaz.model.release.ReleaseCodec;
import io.topaz.model.release.ReleaseManifest;
import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.FieldError;
import io.topaz.model.validation.ReleaseValidator;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Publishing: the draft becomes an immutable, numbered release; rollback republishes an earlier release's content as a
 * new release and resets the draft to it. Publishes are serialized by a ZooKeeper mutex, so two control planes never
 * race for a number.
 *
 * <p>What is published is what was reviewed: a publish names the draft revision of the diff its operator read, is
 * refused (409, naming the entries changed since) when the draft has moved, and its transaction checks the revision
 * again, so a draft write landing while the release is built fails the publish instead of shipping unseen. A rollback
 * resets the draft with versioned operations in the release's own transaction: a save acknowledged meanwhile fails the
 * rollback (409) and is kept. Each release's audit record is in that same transaction (the {@link AuditOutbox}), and
 * so is its {@code Idempotency-Key} ({@link PublishKeys}): a repeat answers the release the key made.
 */
@Service
public class ReleaseService {

    private static final Logger log = LoggerFactory.getLogger(ReleaseService.class);
    private static final int MAX_MESSAGE = 1000;

    /** A publish's or rollback's answer; {@code replayed} when an earlier request with the same key made it. */
    public record Published(ReleaseSummary release, boolean replayed) {
    }

    private final DraftStore drafts;
    private final ReleaseStore releases;
    private final AuditOutbox audit;
    private final PublishKeys keys;
    private final Clock clock;
    private final InterProcessMutex publishLock;
    private final Timer publishTimer;
    private final ConcurrentHashMap<String, Boolean> inFlight = new ConcurrentHashMap<>();
    private volatile Runnable beforeCommit = () -> { };
    private volatile List<PublishCheck> publishChecks = List.of();

    public ReleaseService(DraftStore drafts, ReleaseStore releases, AuditOutbox audit, PublishKeys keys, Clock clock,
                          CuratorFramework curator, ZkLayout layout, MeterRegistry meters) {
        this.drafts = drafts;
        this.releases = releases;
        this.audit = audit;
        this.keys = keys;
        this.clock = clock;
        this.publishLock = new InterProcessMutex(curator, layout.publishLock());
        this.publishTimer = Timer.builder("topaz.release.publish").description("time to publish a release")
                .publishPercentileHistogram().register(meters);
    }

    /** Cross-entry rules that need more than the draft (e.g. that an app a sync target names exists). */
    @org.springframework.beans.factory.annotation.Autowired(required = false)
    void publishChecks(List<PublishCheck> checks) {
        this.publishChecks = List.copyOf(checks);
    }

    /** Tests only: runs after a publish or rollback has read the draft and before its transaction commits. */
    void beforeCommit(Runnable hook) {
        this.beforeCommit = hook;
    }

    public ConfigSnapshot liveContent() throws Exception {
        return releases.live().map(releases::content).orElse(ConfigSnapshot.empty());
    }

    public long liveNumber() throws Exception {
        return releases.live().map(ReleaseManifest::number).orElse(0L);
    }

    /**
     * The draft against the live release, with the draft revision read before the draft was. ZooKeeper has no snapshot
     * reads, so a write may land while the entries are read; the diff is then re-read a few times, and if writes keep
     * landing it answers with the older revision: what it shows may then mix revisions, but a publish of that revision
     * is refused as stale, so nothing unreviewed can ship from it.
     */
    public DraftDiff diff() throws Exception {
        for (int attempt = 1; ; attempt++) {
            long before = drafts.revision().number();
            ConfigSnapshot live = liveContent();
            DraftDiff diff = DraftDiff.between(live, drafts.snapshot(live.release()));
            if (before == drafts.revision().number() || attempt == 5) {
                return diff.atRevision(before);
            }
        }
    }

    public List<ReleaseSummary> history(int offset, int limit) throws Exception {
        long live = liveNumber();
        List<Long> numbers = releases.numbers();
        // only the page's manifests are read; the names of all releases are (zero-padded numbers, sorted)
        int from = (int) Math.min(offset, numbers.size());
        List<Long> page = numbers.subList(from, (int) Math.min(numbers.size(), (long) from + limit));
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

    /**
     * Publishes the draft at revision {@code draftRevision} (the revision of the diff the operator reviewed). Refused
     * when the draft moved since, equals the live release, or breaks a cross-entry rule.
     */
    public Published publish(String message, Long draftRevision, String actor, String idempotencyKey) throws Exception {
        String msg = message(message);
        if (draftRevision == null || draftRevision < 0) {
            throw new ConfigValidationException("the publish request is invalid (nothing was published)", List.of(
                    new FieldError("draftRevision", draftRevision == null ? null : draftRevision.toString(),
                            "required: the draftRevision of the diff you reviewed (GET /api/v1/draft/diff), so that "
                                    + "only what you reviewed is published")));
        }
        String key = idempotencyKey(idempotencyKey);
        String request = "publish of draft revision " + draftRevision;
        return once(key, request, () -> {
            long start = System.nanoTime();
            DraftStore.RevisionRead rev = drafts.revision();
            if (rev.number() != draftRevision) {
                throw moved(draftRevision, rev, "published");
            }
            ConfigSnapshot live = liveContent();
            ReleaseStore.Counter counter = releases.nextNumber();
            ConfigSnapshot draft = drafts.snapshot(counter.next());
            DraftDiff diff = DraftDiff.between(live, draft);
            if (diff.isEmpty() && live.release() > 0) {
                throw ApiException.conflict("nothing to publish: the draft equals live release " + live.release());
            }
            List<FieldError> broken = new ArrayList<>(ReleaseValidator.validate(draft));
            for (PublishCheck check : publishChecks) {
                broken.addAll(check.check(draft));
            }
            if (!broken.isEmpty()) {
                // The number was only reserved: name the draft, not a release that was never created.
                throw new ConfigValidationException("the draft (nothing was published)", broken);
            }
            EncodedRelease encoded = ReleaseCodec.encode(draft, msg, actor, clock.millis(), null);
            List<CuratorOp> extra = new ArrayList<>();
            extra.add(drafts.checkOp(rev));
            extra.add(audit.op(audit.entry(actor, AuditAction.PUBLISH, null, null, counter.next(), null,
                    AuditLog.detail("message", msg, "draftRevision", rev.number(), "changes", diff.changes().size(),
                            "entries", draft.size()))));
            if (key != null) {
                extra.add(keys.op(key, request, counter.next(), actor));
            }
            commit(encoded, counter, extra, 1, rev, "published", key, request);
            publishTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            log.info("release {} published by {} from draft revision {}: {} changes, {} entries", counter.next(), actor,
                    rev.number(), diff.changes().size(), draft.size());
            return new Published(ReleaseSummary.of(encoded.manifest(), counter.next()).with(rev.number(), null), false);
        });
    }

    /**
     * Publishes the content of release {@code target} again as a new release and resets the draft to it, in one
     * transaction with its audit record. {@code draftRevision}, when given, is the draft revision the operator saw:
     * the rollback is refused if the draft moved since. A draft save that lands while the rollback runs fails it (409)
     * and is kept. The answer names the unpublished draft changes the rollback discarded.
     */
    public Published rollback(long target, String message, Long draftRevision, String actor, String idempotencyKey)
            throws Exception {
        String msg = message == null || message.isBlank() ? "rollback to release " + target : message(message);
        String key = idempotencyKey(idempotencyKey);
        String request = "rollback to release " + target + (draftRevision == null ? "" : " from draft revision "
                + draftRevision);
        return once(key, request, () -> {
            ReleaseManifest targetManifest = manifest(target);
            ConfigSnapshot content = releases.content(targetManifest);
            ConfigSnapshot live = liveContent();
            if (DraftDiff.between(live, content).isEmpty()) {
                // As a publish of an unchanged draft: an identical release would only add a number.
                throw ApiException.conflict("nothing to roll back: release " + target + " has the same content as "
                        + "live release " + live.release());
            }
            DraftStore.RevisionRead rev = drafts.revision();
            if (draftRevision != null && rev.number() != draftRevision) {
                throw moved(draftRevision, rev, "rolled back");
            }
            List<String> discarded = DraftDiff.between(live, drafts.snapshot(live.release())).describeKeys();
            DraftStore.Reset reset = drafts.planReset(content, actor);
            long revisionAfter = reset.touched().isEmpty() ? rev.number() : rev.number() + 1;
            ReleaseStore.Counter counter = releases.nextNumber();
            ConfigSnapshot next = content.withRelease(counter.next());
            EncodedRelease encoded = ReleaseCodec.encode(next, msg, actor, clock.millis(), target);
            List<CuratorOp> extra = new ArrayList<>(reset.ops());
            extra.add(reset.touched().isEmpty() ? drafts.checkOp(rev) : drafts.bumpOp(rev, reset.touched()));
            int draftOps = extra.size();
            extra.add(audit.op(audit.entry(actor, AuditAction.ROLLBACK, null, null, counter.next(), null,
                    AuditLog.detail("message", msg, "rollbackOf", target, "draftChanges", reset.touched().size(),
                            "discardedDraftChanges", discarded, "draftRevision", revisionAfter))));
            if (key != null) {
                extra.add(keys.op(key, request, counter.next(), actor));
            }
            commit(encoded, counter, extra, draftOps, rev, "rolled back", key, request);
            log.info("release {} published by {} as a rollback to release {}; draft reset ({} entries), discarding {}",
                    counter.next(), actor, target, reset.touched().size(), discarded);
            return new Published(ReleaseSummary.of(encoded.manifest(), counter.next()).with(revisionAfter, discarded),
                    false);
        });
    }

    /**
     * Commits the release with {@code extra}, whose first {@code draftOps} operations check or change the draft. A
     * failure there means a draft write landed after the draft was read: nothing commits and the answer is 409.
     */
    private void commit(EncodedRelease encoded, ReleaseStore.Counter counter, List<CuratorOp> extra, int draftOps,
                        DraftStore.RevisionRead rev, String verb, String key, String request) throws Exception {
        beforeCommit.run();
        try {
            releases.write(encoded, counter, extra);
        } catch (KeeperException e) {
            int failed = DraftStore.failedOp(e) - ReleaseStore.RELEASE_OPS;
            if (failed >= 0 && failed < draftOps) {
                DraftStore.RevisionRead now = drafts.revision();
                throw ApiException.conflict("the draft changed while this was being " + verb + " (draft revision "
                        + rev.number() + " became " + now.number() + "; " + now.value().describeChangesSince(rev.number())
                        + "): nothing was " + verb + " and those changes are kept; read the diff again (draftRevision "
                        + now.number() + ") and retry");
            }
            if (key != null && failed == extra.size() - 1 && e.code() == KeeperException.Code.NODEEXISTS) {
                throw reused(key, request, keys.find(key).orElse(null));
            }
            throw e;
        }
        audit.replay();
        try {
            keys.prune();
        } catch (Exception e) {
            log.warn("cannot prune old idempotency keys: {}", e.toString());
        }
    }

    private static ApiException moved(long seen, DraftStore.RevisionRead now, String verb) {
        return ApiException.conflict("the draft moved since the diff you reviewed (draft revision " + seen + ", now "
                + now.number() + "; " + now.value().describeChangesSince(seen) + "): nothing was " + verb
                + "; read the diff again (draftRevision " + now.number() + ") and send that revision");
    }

    private interface Work {
        Published run() throws Exception;
    }

    /**
     * Runs {@code work} under the publish lock, once per idempotency key: a key that made a release answers it again;
     * a key whose request is still running on this control plane is answered 409 "in progress".
     */
    private Published once(String key, String request, Work work) throws Exception {
        if (key == null) {
            return locked(work);
        }
        if (inFlight.putIfAbsent(key, Boolean.TRUE) != null) {
            throw ApiException.conflict("the request with Idempotency-Key '" + key + "' is still in progress; ask again "
                    + "with the same key for its release");
        }
        try {
            Optional<PublishKeys.Used> used = keys.find(key);
            if (used.isPresent()) {
                return replayed(key, request, used.get());
            }
            return locked(() -> {
                Optional<PublishKeys.Used> meanwhile = keys.find(key);  // made by another control plane while we waited
                return meanwhile.isPresent() ? replayed(key, request, meanwhile.get()) : work.run();
            });
        } finally {
            inFlight.remove(key);
        }
    }

    private Published replayed(String key, String request, PublishKeys.Used used) throws Exception {
        if (!used.request().equals(request)) {
            throw reused(key, request, used);
        }
        return new Published(ReleaseSummary.of(manifest(used.release()), liveNumber()), true);
    }

    private static ApiException reused(String key, String request, PublishKeys.Used used) {
        return ApiException.conflict("Idempotency-Key '" + key + "' was already used for "
                + (used == null ? "another request" : "a " + used.request() + " (release " + used.release() + ")")
                + ", not for this " + request + "; use a new key for a new request");
    }

    private static String idempotencyKey(String key) {
        if (key == null) {
            return null;
        }
        if (key.isBlank() || key.length() > PublishKeys.MAX_LENGTH || !key.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new ConfigValidationException("the Idempotency-Key header is invalid (nothing was published)",
                    List.of(new FieldError("Idempotency-Key", key.length() > 40 ? key.substring(0, 40) + "…" : key,
                            "must be 1 to " + PublishKeys.MAX_LENGTH + " printable ASCII characters without spaces, "
                                    + "e.g. a UUID")));
        }
        return key;
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

    private Published locked(Work work) throws Exception {
        if (!publishLock.acquire(PublishTimings.LOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "another publish is in progress; retry shortly");
        }
        try {
            return work.run();
        } finally {
            publishLock.release();
        }
    }
}
