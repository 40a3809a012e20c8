package io.topaz.control.tmc;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.metadata.MetadataEvents;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;
import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An app's consumer groups ({@code taobao.tmc.group.add}, {@code .delete}, {@code taobao.tmc.groups.get}). Each group
 * has its own queue; a seller's messages for the app go to the group the seller is in, {@code default} unless the app
 * put the seller into another one. A seller is in at most one group of an app, and only a seller who permitted the
 * app can be put in one. The {@code default} group always exists and is never stored.
 */
@Service
public class ConsumerGroupService {

    /** TOP's {@code tmc_group}: a group with the nicks of its members. */
    public record GroupView(String name, List<String> users, long created, long modified) {
    }

    public record GroupPage(List<GroupView> groups, long totalResults, int page, int size) {
    }

    /** What a delete did: the sellers moved back to {@code default}, and whether the group is gone. */
    public record Deleted(List<String> removedNicks, boolean groupDeleted) {
    }

    public static final int MAX_NAME = 32;
    public static final int MAX_GROUPS_PER_APP = 50;
    public static final int MAX_NICKS = 200;

    private final TmcStore store;
    private final AuditLog audit;
    private final MetadataEvents events;
    private final Clock clock;

    ConsumerGroupService(TmcStore store, AuditLog audit, MetadataEvents events, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    private record Change(Map<String, Long> userVersions, Long groupsVersion) {
    }


    /** Creates the group if it does not exist and moves the named sellers into it (out of any other group). */
    public GroupView add(String appKey, String groupName, List<String> nicks, String actor) {
        store.requireApp(appKey);
        List<String> names = nicks == null ? List.of() : nicks;
        Checks c = new Checks();
        checkName(c, groupName);
        checkNicks(c, names);
        throwIfAny(c, appKey);
        List<TmcStore.Seller> sellers = permittedSellers(appKey, names);
        long now = clock.millis();
        Change change = store.inTransaction(() -> {
            Long groupsVersion = null;
            int touched = store.jdbc().sql("update tmc_group set updated_at_millis = ? where app_key = ? and group_name = ?")
                    .params(now, appKey, groupName).update();
            if (touched == 0) {
                long count = store.jdbc().sql("select count(*) from tmc_group where app_key = ?").param(appKey)
                        .query(Long.class).single();
                if (count >= MAX_GROUPS_PER_APP) {
                    throw TmcStore.invalid("group of app '" + appKey + "'", List.of(new FieldError("groupName", groupName,
                            "app '" + appKey + "' already has " + count + " groups, the most it may have; delete one first")));
                }
                store.jdbc().sql("insert into tmc_group (app_key, group_name, created_at_millis, updated_at_millis) "
                        + "values (?, ?, ?, ?)").params(appKey, groupName, now, now).update();
                groupsVersion = store.bumpVersion(MetadataKind.TMC_GROUPS, appKey);
            }
            Map<String, Long> userVersions = new LinkedHashMap<>();
            for (TmcStore.Seller s : sellers) {
                String current = store.jdbc().sql("select group_name from tmc_group_member where app_key = ? and user_id = ?")
                        .params(appKey, s.userId()).query(String.class).optional().orElse(null);
                if (groupName.equals(current)) {
                    continue;
                }
                store.jdbc().sql("delete from tmc_group_member where app_key = ? and user_id = ?")
                        .params(appKey, s.userId()).update();
                store.jdbc().sql("insert into tmc_group_member (app_key, user_id, group_name, created_at_millis) "
                        + "values (?, ?, ?, ?)").params(appKey, s.userId(), groupName, now).update();
                userVersions.put(s.userId(), store.bumpVersion(MetadataKind.TMC_USER, s.userId()));
            }
            audit.record(actor, touched == 0 ? AuditAction.CREATE : AuditAction.UPDATE, "tmc-groups",
                    appKey + "/" + groupName, null, groupsVersion, AuditLog.detail("added", names));
            return new Change(userVersions, groupsVersion);
        });
        announce(appKey, change);
        return view(appKey, groupName);
    }

    /**
     * Without nicks, deletes the group (its members go back to {@code default}); with nicks, moves those members back
     * to {@code default} and deletes the group if none is left (TOP's rule).
     */
    public Deleted delete(String appKey, String groupName, List<String> nicks, String actor) {
        store.requireApp(appKey);
        List<String> names = nicks == null ? List.of() : nicks;
        Checks c = new Checks();
        checkNicks(c, names);
        throwIfAny(c, appKey);
        GroupView before = view(appKey, groupName);
        for (int i = 0; i < names.size(); i++) {
            if (!before.users().contains(names.get(i))) {
                c.fail("nicks[" + i + "]", names.get(i), "is not in group '" + groupName + "' of app '" + appKey + "'");
            }
        }
        throwIfAny(c, appKey);
        List<String> removed = names.isEmpty() ? before.users() : names;
        boolean dropGroup = names.isEmpty() || removed.size() == before.users().size();
        Change change = store.inTransaction(() -> {
            Map<String, Long> userVersions = new LinkedHashMap<>();
            for (String nick : removed) {
                TmcStore.Seller s = store.sellerByNick(nick).orElseThrow();
                store.jdbc().sql("delete from tmc_group_member where app_key = ? and user_id = ? and group_name = ?")
                        .params(appKey, s.userId(), groupName).update();
                userVersions.put(s.userId(), store.bumpVersion(MetadataKind.TMC_USER, s.userId()));
            }
            Long groupsVersion = null;
            if (dropGroup) {
                store.jdbc().sql("delete from tmc_group where app_key = ? and group_name = ?").params(appKey, groupName).update();
                groupsVersion = store.bumpVersion(MetadataKind.TMC_GROUPS, appKey);
            } else {
                store.jdbc().sql("update tmc_group set updated_at_millis = ? where app_key = ? and group_name = ?")
                        .params(clock.millis(), appKey, groupName).update();
            }
            audit.record(actor, dropGroup ? AuditAction.DELETE : AuditAction.UPDATE, "tmc-groups",
                    appKey + "/" + groupName, null, groupsVersion, AuditLog.detail("removed", removed));
            return new Change(userVersions, groupsVersion);
        });
        announce(appKey, change);
        return new Deleted(removed, dropGroup);
    }

    /** The app's groups (all, or those named), by name, a page at a time, each with its members' nicks. */
    public GroupPage list(String appKey, List<String> groupNames, int page, int size) {
        store.requireApp(appKey);
        Checks c = new Checks();
        c.range("page", page, 0, 1_000_000);
        c.range("size", size, 1, 100);
        throwIfAny(c, appKey);
        List<Object> params = new ArrayList<>();
        params.add(appKey);
        String where = " where app_key = ?";
        if (groupNames != null && !groupNames.isEmpty()) {
            where += " and group_name in (" + String.join(",", Collections.nCopies(groupNames.size(), "?")) + ")";
            params.addAll(groupNames);
        }
        long total = store.jdbc().sql("select count(*) from tmc_group" + where).params(params).query(Long.class).single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        List<String> names = store.jdbc().sql("select group_name from tmc_group" + where
                + " order by group_name limit ? offset ?").params(pageParams).query(String.class).list();
        return new GroupPage(names.stream().map(n -> view(appKey, n)).toList(), total, page, size);
    }

    /** One group with its members; 404 when the app has no such group. */
    public GroupView view(String appKey, String groupName) {
        record Times(long created, long modified) {
        }
        Times t = store.jdbc().sql("select created_at_millis, updated_at_millis from tmc_group where app_key = ? and group_name = ?")
                .params(appKey, groupName).query((rs, n) -> new Times(rs.getLong(1), rs.getLong(2))).optional()
                .orElseThrow(() -> ApiException.notFound("app '" + appKey + "' has no group '" + groupName + "'"));
        List<String> users = store.jdbc().sql("""
                        select s.nick from tmc_group_member m join seller s on s.user_id = m.user_id
                        where m.app_key = ? and m.group_name = ? order by s.nick""")
                .params(appKey, groupName).query(String.class).list();
        return new GroupView(groupName, users, t.created(), t.modified());
    }

    /** What agents load: the groups of each existing app among {@code appKeys} (an app with none: an empty list). */
    public Map<String, TmcGroups> metadata(Collection<String> appKeys) {
        List<String> keys = appKeys.stream().distinct().toList();
        Map<String, TmcGroups> out = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        String in = String.join(",", Collections.nCopies(keys.size(), "?"));
        Set<String> existing = store.jdbc().sql("select app_key from app where app_key in (" + in + ")").params(keys)
                .query(String.class).set();
        Map<String, List<String>> groups = new HashMap<>();
        store.jdbc().sql("select app_key, group_name from tmc_group where app_key in (" + in + ") order by app_key, group_name")
                .params(keys).query(rs -> {
                    groups.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        Map<String, Long> versions = store.versions(MetadataKind.TMC_GROUPS, keys);
        for (String key : keys) {
            if (existing.contains(key)) {
                out.put(key, new TmcGroups(key, groups.getOrDefault(key, List.of()), versions.getOrDefault(key, 0L)));
            }
        }
        return out;
    }

    private void announce(String appKey, Change change) {
        change.userVersions().forEach((userId, v) -> events.changed(MetadataKind.TMC_USER, userId, v));
        if (change.groupsVersion() != null) {
            events.changed(MetadataKind.TMC_GROUPS, appKey, change.groupsVersion());
        }
    }

    /** The sellers named, each of whom must have permitted the app. */
    private List<TmcStore.Seller> permittedSellers(String appKey, List<String> nicks) {
        Checks c = new Checks();
        List<TmcStore.Seller> out = new ArrayList<>();
        for (int i = 0; i < nicks.size(); i++) {
            TmcStore.Seller s = store.sellerByNick(nicks.get(i)).orElse(null);
            boolean permitted = s != null && store.jdbc().sql("select count(*) from tmc_permit where app_key = ? and user_id = ?")
                    .params(appKey, s.userId()).query(Long.class).single() > 0;
            if (s == null) {
                c.fail("nicks[" + i + "]", nicks.get(i), "names no user");
            } else if (!permitted) {
                c.fail("nicks[" + i + "]", nicks.get(i), "has not permitted app '" + appKey + "' (taobao.tmc.user.permit)");
            } else {
                out.add(s);
            }
        }
        throwIfAny(c, appKey);
        return out;
    }

    private static void checkName(Checks c, String groupName) {
        c.identifier("groupName", groupName);
        c.maxLength("groupName", groupName, MAX_NAME);
        if (groupName != null && groupName.toLowerCase(Locale.ROOT).startsWith(TmcUser.DEFAULT_GROUP)) {
            c.fail("groupName", groupName, "must not start with '" + TmcUser.DEFAULT_GROUP + "' (the default group is implicit)");
        }
    }

    private static void checkNicks(Checks c, List<String> nicks) {
        if (nicks.size() > MAX_NICKS) {
            c.fail("nicks", nicks.size() + " nicks", "must have at most " + MAX_NICKS);
        }
        for (int i = 0; i < nicks.size(); i++) {
            if (nicks.get(i) == null || nicks.get(i).isBlank()) {
                c.fail("nicks[" + i + "]", nicks.get(i), "is required and may not be blank");
            }
        }
        c.distinct("nicks", nicks);
    }

    private static void throwIfAny(Checks c, String appKey) {
        if (!c.errors().isEmpty()) {
            throw TmcStore.invalid("groups of app '" + appKey + "'", c.errors());
        }
    }
}
