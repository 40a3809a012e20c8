package io.topaz.agent.metadata;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.model.config.CacheRule;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.MetadataEvent;
import io.topaz.model.metadata.SessionKeys;
import io.topaz.model.metadata.SessionMetadata;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An agent's view of apps and sessions — and of the message service's sellers' permits and apps' consumer groups —:
 * {@link TieredCache}s over the same L2 and L3, kept current by metadata events, configured by the published cache
 * rules. The gateway asks it two questions: is this call signed by a live
 * app ({@link #checkSignature}) and is this session valid for it ({@link #checkSession}).
 *
 * <p>Lifecycle {@code LATENT → STARTED → CLOSED}; {@link #close()} may be called more than once.
 */
public final class MetadataClient implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(MetadataClient.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final TieredCache<AppMetadata> apps;
    private final TieredCache<SessionMetadata> sessions;
    private final TieredCache<TmcUser> tmcUsers;
    private final TieredCache<TmcGroups> tmcGroups;
    private final TmcNicks tmcNicks;
    private final SharedCache l2;
    private final Clock clock;
    private final MetadataEventWatcher watcher;
    private final java.util.List<java.util.function.Consumer<String>> syncTargetListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<TmcUserListener> tmcUserListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private AutoCloseable ownedTicker;
    private final ScheduledExecutorService filterRefresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "topaz-metadata-filters");
        t.setDaemon(true);
        return t;
    });

    /** How often the key filters are fetched anew: they drift as keys are created and the control plane resizes them. */
    static final Duration FILTER_REFRESH = Duration.ofMinutes(10);

    MetadataClient(MetadataSource source, SharedCache l2, CuratorFramework curator, ZkLayout layout, Clock clock,
                   Ticker ticker, Executor executor, MeterRegistry registry) {
        this.l2 = l2;
        this.clock = clock;
        this.apps = new TieredCache<>(MetadataKind.APP, AppMetadata.class, AppMetadata::version, source::apps,
                rate -> source.filter(MetadataKind.APP, rate), l2, defaultRule(MetadataKind.APP), ticker, executor, registry);
        this.sessions = new TieredCache<>(MetadataKind.SESSION, SessionMetadata.class, SessionMetadata::version,
                source::sessions, rate -> source.filter(MetadataKind.SESSION, rate), l2,
                defaultRule(MetadataKind.SESSION), ticker, executor, registry);
        // The message service's kinds have no key filter (a seller without permits is a normal answer): the filter
        // source is never asked, and the rules applied to them keep the default rate, so it never is (applyRules).
        this.tmcUsers = new TieredCache<>(MetadataKind.TMC_USER, TmcUser.class, TmcUser::version, source::tmcUsers,
                rate -> CompletableFuture.failedFuture(new IllegalStateException("no key filter of TMC_USER")), l2,
                defaultRule(MetadataKind.TMC_USER), ticker, executor, registry);
        this.tmcGroups = new TieredCache<>(MetadataKind.TMC_GROUPS, TmcGroups.class, TmcGroups::version,
                source::tmcGroups, rate -> CompletableFuture.failedFuture(new IllegalStateException("no key filter of "
                + "TMC_GROUPS")), l2, defaultRule(MetadataKind.TMC_GROUPS), ticker, executor, registry);
        this.tmcNicks = new TmcNicks(source::tmcNicks, ticker, executor);
        this.watcher = curator == null ? null : new MetadataEventWatcher(curator, layout, this::onEvent, this::onGap);
    }

    /** The client for an agent's settings: L3 over HTTP, L2 on Redis when configured. */
    public static MetadataClient create(MetadataSettings settings, CuratorFramework curator, ZkLayout layout, Clock clock,
                                        Executor executor, MeterRegistry registry) {
        MetadataSource source = new ControlPlaneSource(settings.controlUrl(), settings.agentToken(), executor);
        SharedCache l2 = settings.redisUri() == null ? SharedCache.none()
                : new RedisSharedCache(settings.redisUri(), settings.redisPrefix());
        CoarseTicker ticker = new CoarseTicker();
        MetadataClient client = new MetadataClient(source, l2, curator, layout, clock, ticker, executor, registry);
        client.ownedTicker = ticker;
        return client;
    }

    static CacheRule defaultRule(MetadataKind kind) {
        return new CacheRule(kind, null, null, null, null, null, null, null);
    }

    /** Starts watching events and fetches the key filters; lookups work before the filters arrive. */
    public MetadataClient start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("already started or closed");
        }
        if (watcher != null) {
            watcher.start();
        }
        apps.refreshFilter();
        sessions.refreshFilter();
        filterRefresher.scheduleWithFixedDelay(() -> {
            apps.refreshFilter();
            sessions.refreshFilter();
        }, FILTER_REFRESH.toMillis(), FILTER_REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public TieredCache<AppMetadata> apps() {
        return apps;
    }

    public TieredCache<SessionMetadata> sessions() {
        return sessions;
    }

    /** Sellers' message-service permits and groups, by TOP user id (decimal); invalidated by TMC_USER events. */
    public TieredCache<TmcUser> tmcUsers() {
        return tmcUsers;
    }

    /** Apps' consumer groups, by app key; invalidated by TMC_GROUPS events. */
    public TieredCache<TmcGroups> tmcGroups() {
        return tmcGroups;
    }

    /**
     * The TOP user id of the seller with this nick, or empty when no seller with a TOP user id has it. Fails with
     * {@link TieredCache.UnavailableException} when it is not cached and the control plane cannot be reached.
     */
    public CompletableFuture<java.util.OptionalLong> tmcUserIdOfNick(String nick) {
        return tmcNicks.userIdOf(nick);
    }

    /** The seller with this nick, with permits and groups (empty: no such seller with a TOP user id). */
    public CompletableFuture<Optional<TmcUser>> tmcUserByNick(String nick) {
        return tmcNicks.userIdOf(nick).thenCompose(id -> id.isEmpty()
                ? CompletableFuture.completedFuture(Optional.<TmcUser>empty())
                : tmcUsers.get(Long.toString(id.getAsLong())));
    }

    /**
     * Checks a call's app and signature: the app exists and is active, and {@code sign} matches its current secret
     * or a previous one not yet retired.
     */
    public CompletableFuture<SignatureCheck> checkSignature(String appKey, Map<String, String> params, String body,
                                                            SignMethod method, String sign) {
        return apps.get(appKey).thenApply(found -> {
            if (found.isEmpty()) {
                return new SignatureCheck(SignatureCheck.Outcome.UNKNOWN_APP, null);
            }
            AppMetadata app = found.get();
            if (!app.active()) {
                return new SignatureCheck(SignatureCheck.Outcome.APP_DISABLED, app);
            }
            for (String secret : app.secretsAcceptedAt(clock.millis())) {
                if (TopSigner.verify(params, body, secret, method, sign)) {
                    return new SignatureCheck(SignatureCheck.Outcome.OK, app);
                }
            }
            return new SignatureCheck(SignatureCheck.Outcome.INVALID_SIGNATURE, app);
        });
    }

    /** Checks a call's session key for {@code appKey}: known, not expired, not revoked, issued to that app. */
    public CompletableFuture<SessionCheck> checkSession(String appKey, String sessionKey) {
        return sessions.get(SessionKeys.hash(sessionKey)).thenApply(found -> {
            Optional<SessionMetadata> s = found.filter(v -> v.validFor(appKey, clock.millis()));
            return s.map(v -> new SessionCheck(SessionCheck.Outcome.OK, v))
                    .orElseGet(() -> new SessionCheck(SessionCheck.Outcome.INVALID, found.orElse(null)));
        });
    }

    /** Applies the published cache rules (kinds without a rule go back to the defaults). */
    public void applyRules(Map<String, CacheRule> rules) {
        apps.apply(rules.getOrDefault(MetadataKind.APP.name(), defaultRule(MetadataKind.APP)));
        sessions.apply(rules.getOrDefault(MetadataKind.SESSION.name(), defaultRule(MetadataKind.SESSION)));
        tmcUsers.apply(unfiltered(rules.getOrDefault(MetadataKind.TMC_USER.name(), defaultRule(MetadataKind.TMC_USER))));
        tmcGroups.apply(unfiltered(rules.getOrDefault(MetadataKind.TMC_GROUPS.name(),
                defaultRule(MetadataKind.TMC_GROUPS))));
    }

    /** A kind without a key filter keeps the default rate whatever its rule says, so no filter is ever fetched. */
    private static CacheRule unfiltered(CacheRule r) {
        return new CacheRule(r.kind(), r.maximumSize(), r.expireAfterMillis(), r.refreshAfterMillis(),
                r.maxStalenessMillis(), r.negativeTtlMillis(), null, r.filterMissLookupsPerSecond());
    }

    /**
     * Calls {@code listener} with a sync target's name when its password changes (a {@link MetadataKind#SYNC_TARGET}
     * event), and with {@code null} after missed events, when any may have changed. Passwords are not cached here.
     */
    public void onSyncTargetChange(java.util.function.Consumer<String> listener) {
        syncTargetListeners.add(listener);
    }

    /** Told of changes to sellers' message-service permits and groups. */
    @FunctionalInterface
    public interface TmcUserListener {

        /**
         * @param userId  the seller's TOP user id (decimal), or null after missed events, when any may have changed
         * @param version the change's metadata version (0 with a null user): an answer for the seller older than it
         *                is out of date
         */
        void changed(String userId, long version);
    }

    /**
     * Calls {@code listener} with a seller's TOP user id and the change's version when the seller's permits or groups
     * change (a {@link MetadataKind#TMC_USER} event), and with {@code null} after missed events, when any may have
     * changed: the order sync looks up that seller again (or reads the sellers who permitted its targets' apps again).
     */
    public void onTmcUserChange(TmcUserListener listener) {
        tmcUserListeners.add(listener);
    }

    void onEvent(MetadataEvent e) {
        if (state.get() != State.STARTED) {
            return;
        }
        if (e.kind() == MetadataKind.SYNC_TARGET) {
            syncTargetListeners.forEach(l -> l.accept(e.key()));
            log.debug("metadata event {}: {} {} {} v{}", e.seq(), e.type(), e.kind(), e.key(), e.version());
            return;
        }
        TieredCache<?> cache = switch (e.kind()) {
            case APP -> apps;
            case SESSION -> sessions;
            case TMC_USER -> tmcUsers;
            case TMC_GROUPS -> tmcGroups;
            case SYNC_TARGET -> throw new AssertionError("handled above");
        };
        if (e.type() == MetadataEvent.Type.CREATED) {
            cache.created(e.key());
        } else {
            cache.invalidate(e.key(), e.version());
        }
        if (e.kind() == MetadataKind.TMC_USER) {
            tmcUserListeners.forEach(l -> l.changed(e.key(), e.version()));
        }
        log.debug("metadata event {}: {} {} {} v{}", e.seq(), e.type(), e.kind(), e.key(), e.version());
    }

    void onGap() {
        if (state.get() != State.STARTED) {
            return;
        }
        apps.invalidateAll();
        sessions.invalidateAll();
        tmcUsers.invalidateAll();
        tmcGroups.invalidateAll();
        syncTargetListeners.forEach(l -> l.accept(null));
        tmcUserListeners.forEach(l -> l.changed(null, 0));
        apps.refreshFilter();
        sessions.refreshFilter();
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        filterRefresher.shutdownNow();
        if (watcher != null) {
            watcher.close();
        }
        l2.close();
        if (ownedTicker != null) {
            try {
                ownedTicker.close();
            } catch (Exception ignored) {
                // a scheduler shutting down
            }
        }
    }
}
