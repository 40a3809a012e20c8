package io.topaz.control.tmc;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.metadata.MetadataEvents;
import io.topaz.control.release.ReleaseService;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.config.Subscription;
import io.topaz.model.metadata.TmcUser;
import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.FieldError;
import org.springframework.stereotype.Service;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sellers' permits of apps ({@code taobao.tmc.user.permit}, {@code .cancel}, {@code .get}): a message about a seller
 * reaches an app only for topics the seller permitted it and the app subscribes to. A permit is given with the
 * seller's session of the app (the agent resolves the session; this service checks the session is still valid).
 */
@Service
public class PermitService {

    /**
     * TOP's {@code tmc_user}: a seller's permit of one app.
     *
     * @param topics        the permitted topics; with {@code allSubscribedTopics}, the app's subscribed topics now
     * @param isValid       the seller still has a valid session of the app (TOP's {@code is_valid})
     */
    public record PermitView(String userNick, long userId, List<String> topics, boolean allSubscribedTopics,
                             String groupName, long created, long modified, boolean isValid) {
    }

    /** A seller who permitted an app: what the order sync copies (TOP user id, nick, when the permit was given). */
    public record PermittedSeller(long userId, String nick, long permittedAt) {
    }

    /**
     * The sellers who permitted an app: all of them, or one page.
     *
     * @param next the {@code after} of the next page; null on the last page (and on an answer that is not paged)
     */
    public record PermittedSellers(String appKey, List<PermittedSeller> sellers, String next) {
    }

    /** The most sellers one page of {@link #sellers(String, String, Integer)} holds. */
    public static final int MAX_PAGE = 50_000;

    private static final int MAX_TOPICS = 500;

    private final TmcStore store;
    private final ReleaseService releases;
    private final AuditLog audit;
    private final MetadataEvents events;
    private final Clock clock;

    PermitService(TmcStore store, ReleaseService releases, AuditLog audit, MetadataEvents events, Clock clock) {
        this.store = store;
        this.releases = releases;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Gives or replaces the permit of {@code userId} for {@code appKey}. Without topics (null or empty) the permit
     * covers every topic the app subscribes to, now and later; with topics, each must be one the app subscribes to in
     * the live release.
     */
    public PermitView permit(String appKey, String userId, List<String> topics, String actor) throws Exception {
        store.requireApp(appKey);
        List<FieldError> errors = new ArrayList<>();
        if (!TmcStore.isTopUserId(userId)) {
            errors.add(new FieldError("userId", userId, "must be TOP's user id, a positive 64-bit integer, for the "
                    + "message service (message clients read it as a number)"));
        } else if (store.sellerById(userId).isEmpty()) {
            throw ApiException.notFound("no user with id '" + userId + "'");
        }
        List<String> wanted = topics == null ? List.of() : topics;
        Subscription sub = releases.liveContent().subscriptions().get(appKey);
        if (sub == null) {
            errors.add(new FieldError("appKey", appKey, "subscribes to no topic in the live release; publish a "
                    + "subscription for it first"));
        } else {
            if (wanted.size() > MAX_TOPICS) {
                errors.add(new FieldError("topics", wanted.size() + " topics", "must have at most " + MAX_TOPICS));
            }
            for (int i = 0; i < wanted.size(); i++) {
                if (!sub.subscribes(wanted.get(i))) {
                    errors.add(new FieldError("topics[" + i + "]", wanted.get(i), "is not a topic app '" + appKey
                            + "' subscribes to"));
                }
            }
        }
        if (errors.isEmpty() && !hasValidSession(appKey, userId)) {
            errors.add(new FieldError("userId", userId, "has no valid session of app '" + appKey + "'; a seller "
                    + "permits an app with a session of that app"));
        }
        if (!errors.isEmpty()) {
            throw TmcStore.invalid("permit of app '" + appKey + "'", errors);
        }
        String joined = wanted.isEmpty() ? null : String.join(",", new LinkedHashSet<>(wanted));
        long now = clock.millis();
        long version = store.inTransaction(() -> {
            int n = store.jdbc().sql("update tmc_permit set topics = ?, updated_at_millis = ? where app_key = ? and user_id = ?")
                    .params(joined, now, appKey, userId).update();
            if (n == 0) {
                store.jdbc().sql("""
                                insert into tmc_permit (app_key, user_id, topics, created_at_millis, updated_at_millis)
                                values (?, ?, ?, ?, ?)""")
                        .params(appKey, userId, joined, now, now).update();
            }
            long v = store.bumpVersion(MetadataKind.TMC_USER, userId);
            audit.record(actor, n == 0 ? AuditAction.CREATE : AuditAction.UPDATE, "tmc-permits", appKey + "/" + userId,
                    null, v, AuditLog.detail("topics", joined == null ? "all subscribed" : joined));
            return v;
        });
        events.changed(MetadataKind.TMC_USER, userId, version);
        return get(appKey, store.sellerById(userId).orElseThrow().nick()).orElseThrow();
    }

    /** Removes a seller's permit of an app and the seller's group membership; false when there was no permit. */
    public boolean cancel(String appKey, String nick, String actor) {
        store.requireApp(appKey);
        if (nick == null || nick.isBlank()) {
            throw TmcStore.invalid("user", List.of(new FieldError("nick", nick, "is required")));
        }
        Optional<TmcStore.Seller> found = store.sellerByNick(nick);
        if (found.isEmpty()) {
            return false; // an unknown seller has no permit: TOP answers false, not an error
        }
        TmcStore.Seller seller = found.get();
        Long version = store.inTransaction(() -> {
            int n = store.jdbc().sql("delete from tmc_permit where app_key = ? and user_id = ?")
                    .params(appKey, seller.userId()).update();
            if (n == 0) {
                return null;
            }
            store.jdbc().sql("delete from tmc_group_member where app_key = ? and user_id = ?")
                    .params(appKey, seller.userId()).update();
            long v = store.bumpVersion(MetadataKind.TMC_USER, seller.userId());
            audit.record(actor, AuditAction.DELETE, "tmc-permits", appKey + "/" + seller.userId(), null, v,
                    AuditLog.detail("nick", nick));
            return v;
        });
        if (version == null) {
            return false;
        }
        events.changed(MetadataKind.TMC_USER, seller.userId(), version);
        return true;
    }

    /** A seller's permit of an app, by nick; empty when the seller has not permitted the app. */
    public Optional<PermitView> get(String appKey, String nick) throws Exception {
        store.requireApp(appKey);
        TmcStore.Seller seller = sellerByNick(nick);
        Optional<TmcUser.Permit> permit = permits(seller.userId()).stream()
                .filter(p -> p.appKey().equals(appKey)).findFirst();
        if (permit.isEmpty()) {
            return Optional.empty();
        }
        TmcUser.Permit p = permit.get();
        List<String> topics = p.allSubscribed()
                ? Optional.ofNullable(releases.liveContent().subscriptions().get(appKey)).map(Subscription::topics)
                .orElse(List.of())
                : p.topics();
        return Optional.of(new PermitView(seller.nick(), seller.numericId(), topics, p.allSubscribed(), p.groupName(),
                p.createdAtMillis(), p.modifiedAtMillis(), hasValidSession(appKey, seller.userId())));
    }

    /**
     * What agents load for routing: the sellers among {@code userIds} (TOP user ids) with their permits and groups.
     * A seller without permits is answered with none; an unknown id is left out. Three queries, whatever the count.
     */
    public Map<String, TmcUser> metadata(Collection<String> userIds) {
        List<String> ids = userIds.stream().filter(TmcStore::isTopUserId).distinct().toList();
        Map<String, TmcUser> out = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        String in = String.join(",", Collections.nCopies(ids.size(), "?"));
        // versions first: a permit and its version change in one transaction, so the permits read after a version
        // are at least that new. An answer never pairs older permits with a newer version, which the agents' shared
        // cache (and the order sync, checking an answer against the event's version) would take as current.
        Map<String, Long> versions = store.versions(MetadataKind.TMC_USER, ids);
        Map<String, String> nicks = new HashMap<>();
        store.jdbc().sql("select user_id, nick from seller where user_id in (" + in + ")").params(ids)
                .query(rs -> {
                    nicks.put(rs.getString(1), rs.getString(2));
                });
        Map<String, List<TmcUser.Permit>> permits = new HashMap<>();
        store.jdbc().sql(PERMITS + " where p.user_id in (" + in + ") order by p.user_id, p.app_key").params(ids)
                .query(rs -> {
                    permits.computeIfAbsent(rs.getString("user_id"), k -> new ArrayList<>()).add(permitOf(rs));
                });
        for (String id : ids) {
            String nick = nicks.get(id);
            if (nick != null) {
                out.put(id, new TmcUser(Long.parseLong(id), nick, permits.getOrDefault(id, List.of()),
                        versions.getOrDefault(id, 0L)));
            }
        }
        return out;
    }

    /**
     * The sellers who permitted {@code appKey} (whatever the topics), by TOP user id: the order sync's agents copy
     * these sellers' orders to the app's sync targets, as TOP's JDP copies only the sellers who authorized the app.
     * One query; a seller whose id is not TOP's kind (a positive 64-bit integer) is left out.
     */
    public PermittedSellers sellers(String appKey) {
        return sellers(appKey, null, null);
    }

    /**
     * The sellers who permitted {@code appKey}, a page at a time when {@code limit} is given: those whose user id
     * comes after {@code after} in the order of the permits' key (user ids as text), at most {@code limit}, with the
     * {@code after} of the next page. Each page is one range read of the permits' primary key, so an app permitted by
     * millions of sellers is listed in pages of equal cost. Without {@code limit}: every seller, by user id.
     */
    public PermittedSellers sellers(String appKey, String after, Integer limit) {
        List<FieldError> errors = new ArrayList<>();
        if (after != null && (after.isBlank() || after.length() > 64)) {
            errors.add(new FieldError("after", after, "must be the 'next' of the previous page (1 to 64 characters)"));
        }
        if (limit != null && (limit < 1 || limit > MAX_PAGE)) {
            errors.add(new FieldError("limit", String.valueOf(limit), "must be between 1 and " + MAX_PAGE));
        }
        if (after != null && limit == null) {
            errors.add(new FieldError("limit", null, "is required with 'after'"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigValidationException("permits", errors);
        }
        store.requireApp(appKey);
        List<PermittedSeller> out = new ArrayList<>();
        String[] last = {null};
        int[] rows = {0};
        String sql = """
                select p.user_id, s.nick, p.created_at_millis from tmc_permit p
                join seller s on s.user_id = p.user_id
                where p.app_key = ?""" + (after == null ? "" : " and p.user_id > ?") + " order by p.user_id"
                + (limit == null ? "" : " limit " + (limit + 1));
        var statement = store.jdbc().sql(sql).param(appKey);
        if (after != null) {
            statement = statement.param(after);
        }
        statement.query(rs -> {
            if (limit != null && ++rows[0] > limit) {
                return; // the one past the page: there is a next page
            }
            last[0] = rs.getString(1);
            if (TmcStore.isTopUserId(rs.getString(1))) {
                out.add(new PermittedSeller(Long.parseLong(rs.getString(1)), rs.getString(2), rs.getLong(3)));
            }
        });
        if (limit == null) {
            out.sort(java.util.Comparator.comparingLong(PermittedSeller::userId));
        }
        return new PermittedSellers(appKey, out, limit != null && rows[0] > limit ? last[0] : null);
    }

    /**
     * What agents load to resolve a produce's seller named by nick: nick → TOP user id of the sellers among
     * {@code nicks} whose id is TOP's kind (a positive 64-bit integer); others are left out. One query.
     */
    public Map<String, String> userIdsByNick(Collection<String> nicks) {
        List<String> names = nicks.stream().filter(n -> n != null && !n.isBlank()).distinct().toList();
        Map<String, String> out = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return out;
        }
        String in = String.join(",", Collections.nCopies(names.size(), "?"));
        store.jdbc().sql("select nick, user_id from seller where nick in (" + in + ")").params(names)
                .query(rs -> {
                    if (TmcStore.isTopUserId(rs.getString(2))) {
                        out.put(rs.getString(1), rs.getString(2));
                    }
                });
        return out;
    }

    private static final String PERMITS = """
            select p.user_id, p.app_key, p.topics, p.created_at_millis, p.updated_at_millis, m.group_name
            from tmc_permit p
            left join tmc_group_member m on m.app_key = p.app_key and m.user_id = p.user_id""";

    private static TmcUser.Permit permitOf(ResultSet rs) throws SQLException {
        String topics = rs.getString("topics");
        return new TmcUser.Permit(rs.getString("app_key"), topics == null ? List.of() : List.of(topics.split(",")),
                topics == null, rs.getString("group_name"), rs.getLong("created_at_millis"),
                rs.getLong("updated_at_millis"));
    }

    private List<TmcUser.Permit> permits(String userId) {
        return store.jdbc().sql(PERMITS + " where p.user_id = ? order by p.app_key").param(userId)
                .query((rs, n) -> permitOf(rs)).list();
    }

    private boolean hasValidSession(String appKey, String userId) {
        return store.jdbc().sql("""
                        select count(*) from app_session
                        where app_key = ? and user_id = ? and revoked_at_millis is null and expires_at_millis > ?""")
                .params(appKey, userId, clock.millis()).query(Long.class).single() > 0;
    }

    private TmcStore.Seller sellerByNick(String nick) {
        if (nick == null || nick.isBlank()) {
            throw TmcStore.invalid("user", List.of(new FieldError("nick", nick, "is required")));
        }
        return store.sellerByNick(nick).filter(s -> TmcStore.isTopUserId(s.userId()))
                .orElseThrow(() -> ApiException.notFound("no message-service user with nick '" + nick + "'"));
    }

}
