package io.topaz.agent.tmc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.topaz.model.config.AppStatus;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.Subscription;
import io.topaz.model.json.Json;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.AppSecret;
import io.topaz.model.metadata.MetadataLookup;
import io.topaz.model.metadata.SessionKeys;
import io.topaz.model.metadata.SessionMetadata;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A JDK HttpServer standing in for the control plane's agent-facing API (the real one is tested in the control-plane
 * module, TmcDataApiTest): the metadata batch lookup (apps, sessions, TMC users, groups and nicks) and the AGENT API of
 * permits and groups, with the same rules and answers for what these tests use, in memory. Every change calls
 * {@link #onChange} with the kind and key of the metadata event the real one would publish. A request without the
 * agent token is 401.
 */
final class FakeControlPlane implements AutoCloseable {

    static final String TOKEN = "agent-token-for-tests";

    private record PermitRow(List<String> topics, long created, long modified) {
    }

    private record GroupRow(long created, long modified) {
    }

    final Map<String, AppMetadata> apps = new ConcurrentHashMap<>();
    final Map<String, SessionMetadata> sessions = new ConcurrentHashMap<>();
    /** Sellers: user id → nick. */
    final Map<String, String> sellers = new ConcurrentHashMap<>();
    private final Map<String, Map<String, PermitRow>> permits = new HashMap<>(); // app → user id → permit
    private final Map<String, Map<String, String>> members = new HashMap<>();    // app → user id → group
    private final Map<String, Map<String, GroupRow>> groups = new HashMap<>();   // app → group → times
    private final Map<String, Long> versions = new HashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final Supplier<ConfigSnapshot> config;
    volatile BiConsumer<String, String> onChange = (kind, key) -> {
    };
    private static final long START = 1_764_561_600_000L; // 2025-12-01 12:00:00 GMT+8
    private long now = START;

    FakeControlPlane(Supplier<ConfigSnapshot> config) throws IOException {
        this.config = config;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void app(String appKey, String secret, List<String> groupsAllowed) {
        apps.put(appKey, new AppMetadata(appKey, appKey, "isv", AppStatus.ACTIVE, groupsAllowed,
                List.of(new AppSecret(secret, null)), 1, 0));
    }

    void session(String key, String appKey, String userId) {
        sessions.put(SessionKeys.hash(key), new SessionMetadata(SessionKeys.hash(key), appKey, userId,
                sellers.get(userId), List.of(), Long.MAX_VALUE, false, 1));
    }

    synchronized void reset() {
        permits.clear();
        members.clear();
        groups.clear();
        requests.clear();
        now = START;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---- what the real control plane does, for these tests ----

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, Map.of("message", "no token"));
                return;
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            if (path.equals("/api/v1/metadata/lookup")) {
                send(ex, 200, lookup(Json.read(body, MetadataLookup.Request.class)));
            } else if (path.startsWith("/api/v1/metadata/tmc/apps/")) {
                String rest = path.substring("/api/v1/metadata/tmc/apps/".length());
                String app = rest.substring(0, rest.indexOf('/'));
                String op = ex.getRequestMethod() + " " + rest.substring(rest.indexOf('/') + 1);
                Map<String, String> query = query(ex.getRequestURI().getRawQuery());
                JsonNode json = body.length == 0 ? null : Json.lenient().readTree(body);
                synchronized (this) {
                    tmc(ex, app, op, query, json);
                }
            } else {
                send(ex, 404, Map.of("message", "no such endpoint"));
            }
        }
    }

    private synchronized MetadataLookup.Response lookup(MetadataLookup.Request r) {
        Map<String, AppMetadata> a = new HashMap<>();
        r.apps().forEach(k -> {
            if (apps.containsKey(k)) {
                a.put(k, apps.get(k));
            }
        });
        Map<String, SessionMetadata> s = new HashMap<>();
        r.sessions().forEach(k -> {
            if (sessions.containsKey(k)) {
                s.put(k, sessions.get(k));
            }
        });
        Map<String, TmcUser> users = new HashMap<>();
        r.tmcUsers().forEach(id -> {
            if (sellers.containsKey(id) && id.matches("[1-9][0-9]*")) {
                users.put(id, user(id));
            }
        });
        Map<String, TmcGroups> g = new HashMap<>();
        r.tmcGroups().forEach(app -> {
            if (apps.containsKey(app)) {
                g.put(app, new TmcGroups(app, List.copyOf(new TreeMap<>(groups.getOrDefault(app, Map.of())).keySet()),
                        versions.getOrDefault("TMC_GROUPS:" + app, 0L)));
            }
        });
        Map<String, String> nicks = new HashMap<>();
        r.tmcNicks().forEach(n -> sellers.forEach((id, nick) -> {
            if (nick.equals(n) && id.matches("[1-9][0-9]*")) {
                nicks.put(n, id);
            }
        }));
        return new MetadataLookup.Response(a, s, users, g, nicks);
    }

    private TmcUser user(String id) {
        List<TmcUser.Permit> list = new ArrayList<>();
        permits.forEach((app, byUser) -> {
            PermitRow p = byUser.get(id);
            if (p != null) {
                list.add(new TmcUser.Permit(app, p.topics(), p.topics().isEmpty(),
                        members.getOrDefault(app, Map.of()).get(id), p.created(), p.modified()));
            }
        });
        return new TmcUser(Long.parseLong(id), sellers.get(id), list, versions.getOrDefault("TMC_USER:" + id, 0L));
    }

    private void tmc(HttpExchange ex, String app, String op, Map<String, String> q, JsonNode b) throws IOException {
        now += 1_000;
        switch (op) {
            case "POST permits/permit" -> {
                String userId = b.path("userId").asString();
                if (!sellers.containsKey(userId)) {
                    send(ex, 404, Map.of("message", "no user with id '" + userId + "'"));
                    return;
                }
                Subscription sub = config.get().subscriptions().get(app);
                List<Map<String, Object>> errors = new ArrayList<>();
                List<String> topics = new ArrayList<>();
                b.path("topics").forEach(t -> topics.add(t.asString()));
                if (sub == null) {
                    errors.add(error("appKey", app, "subscribes to no topic in the live release"));
                } else {
                    for (int i = 0; i < topics.size(); i++) {
                        if (!sub.subscribes(topics.get(i))) {
                            errors.add(error("topics[" + i + "]", topics.get(i), "is not a topic app '" + app
                                    + "' subscribes to"));
                        }
                    }
                }
                if (!errors.isEmpty()) {
                    send(ex, 400, Map.of("message", "permit is invalid", "errors", errors));
                    return;
                }
                PermitRow old = permits.computeIfAbsent(app, k -> new HashMap<>()).get(userId);
                permits.get(app).put(userId, new PermitRow(topics, old == null ? now : old.created(), now));
                changed("TMC_USER", userId);
                send(ex, 200, view(app, userId));
            }
            case "POST permits/cancel" -> {
                String id = idOf(b.path("nick").asString());
                boolean had = id != null && permits.getOrDefault(app, new HashMap<>()).remove(id) != null;
                if (had) {
                    members.getOrDefault(app, new HashMap<>()).remove(id);
                    changed("TMC_USER", id);
                }
                send(ex, 200, Map.of("cancelled", had));
            }
            case "GET permits" -> {
                String id = idOf(q.get("nick"));
                if (id == null || !permits.getOrDefault(app, Map.of()).containsKey(id)) {
                    send(ex, 404, Map.of("message", "user '" + q.get("nick") + "' has not permitted app '" + app + "'"));
                    return;
                }
                send(ex, 200, view(app, id));
            }
            case "POST groups/add" -> {
                String name = b.path("groupName").asString("");
                List<Map<String, Object>> errors = new ArrayList<>();
                if (name.startsWith("default")) {
                    errors.add(error("groupName", name, "must not start with 'default' (the default group is implicit)"));
                }
                List<String> ids = new ArrayList<>();
                int i = 0;
                for (JsonNode n : b.path("nicks")) {
                    String id = idOf(n.asString());
                    if (id == null || !permits.getOrDefault(app, Map.of()).containsKey(id)) {
                        errors.add(error("nicks[" + i + "]", n.asString(), "has not permitted app '" + app + "'"));
                    }
                    ids.add(id);
                    i++;
                }
                if (!errors.isEmpty()) {
                    send(ex, 400, Map.of("message", "groups are invalid", "errors", errors));
                    return;
                }
                Map<String, GroupRow> g = groups.computeIfAbsent(app, k -> new HashMap<>());
                if (!g.containsKey(name)) {
                    changed("TMC_GROUPS", app);
                }
                GroupRow old = g.get(name);
                g.put(name, new GroupRow(old == null ? now : old.created(), now));
                for (String id : ids) {
                    members.computeIfAbsent(app, k -> new HashMap<>()).put(id, name);
                    changed("TMC_USER", id);
                }
                send(ex, 200, group(app, name));
            }
            case "POST groups/delete" -> {
                String name = b.path("groupName").asString("");
                if (!groups.getOrDefault(app, Map.of()).containsKey(name)) {
                    send(ex, 404, Map.of("message", "app '" + app + "' has no group '" + name + "'"));
                    return;
                }
                List<String> nicks = new ArrayList<>();
                b.path("nicks").forEach(n -> nicks.add(n.asString()));
                Map<String, String> m = members.computeIfAbsent(app, k -> new HashMap<>());
                List<String> removed = new ArrayList<>();
                m.entrySet().removeIf(e -> {
                    boolean out = e.getValue().equals(name) && (nicks.isEmpty() || nicks.contains(sellers.get(e.getKey())));
                    if (out) {
                        removed.add(sellers.get(e.getKey()));
                        changed("TMC_USER", e.getKey());
                    }
                    return out;
                });
                boolean drop = !m.containsValue(name);
                if (drop) {
                    groups.get(app).remove(name);
                    changed("TMC_GROUPS", app);
                }
                send(ex, 200, Map.of("removedNicks", removed, "groupDeleted", drop));
            }
            case "GET groups" -> {
                int page = Integer.parseInt(q.getOrDefault("page", "0"));
                int size = Integer.parseInt(q.getOrDefault("size", "40"));
                List<String> wanted = q.containsKey("groupNames") ? List.of(q.get("groupNames").split(",")) : List.of();
                List<String> names = new TreeMap<>(groups.getOrDefault(app, Map.of())).keySet().stream()
                        .filter(n -> wanted.isEmpty() || wanted.contains(n)).toList();
                List<Object> pageOf = names.stream().skip((long) page * size).limit(size)
                        .map(n -> (Object) group(app, n)).toList();
                send(ex, 200, Map.of("groups", pageOf, "totalResults", names.size(), "page", page, "size", size));
            }
            default -> send(ex, 404, Map.of("message", "no such endpoint: " + op));
        }
    }

    private Map<String, Object> view(String app, String userId) {
        PermitRow p = permits.get(app).get(userId);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("userNick", sellers.get(userId));
        v.put("userId", Long.parseLong(userId));
        v.put("topics", p.topics().isEmpty() ? config.get().subscriptions().get(app).topics() : p.topics());
        v.put("allSubscribedTopics", p.topics().isEmpty());
        v.put("groupName", members.getOrDefault(app, Map.of()).getOrDefault(userId, "default"));
        v.put("created", p.created());
        v.put("modified", p.modified());
        v.put("isValid", true);
        return v;
    }

    private Map<String, Object> group(String app, String name) {
        GroupRow g = groups.get(app).get(name);
        List<String> users = members.getOrDefault(app, Map.of()).entrySet().stream()
                .filter(e -> e.getValue().equals(name)).map(e -> sellers.get(e.getKey())).sorted().toList();
        return Map.of("name", name, "users", users, "created", g.created(), "modified", g.modified());
    }

    private String idOf(String nick) {
        return sellers.entrySet().stream().filter(e -> e.getValue().equals(nick)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    private void changed(String kind, String key) {
        long v = versions.merge(kind + ":" + key, 1L, Long::sum);
        onChange.accept(kind, key + ":" + v);
    }

    private static Map<String, Object> error(String field, String value, String rule) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("field", field);
        e.put("value", value);
        e.put("rule", rule);
        return e;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] b = Json.write(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }
}
