package io.topaz.control;

import io.topaz.model.config.MetadataKind;
import io.topaz.model.json.Json;
import io.topaz.model.metadata.MetadataEvent;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The message service's data over the agents' API: permits ({@code taobao.tmc.user.*}) and consumer groups
 * ({@code taobao.tmc.group.*}) in the database, what the metadata lookup answers for routing, and the events that
 * tell agents to drop what they cached.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TmcDataApiTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final String TRADE_CREATE = "taobao_trade_TradeCreate";
    private static final String TRADE_CLOSE = "taobao_trade_TradeClose";

    @Autowired
    CuratorFramework curator;

    private RestApi agent;
    private String app;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    /** A fresh app subscribed to two trade topics (published), so tests do not share permits. */
    @BeforeEach
    void appWithSubscription() {
        agent = admin().as(admin().post("/api/v1/tokens", "{\"name\":\"agent-" + UUID.randomUUID() + "\",\"role\":\"AGENT\"}")
                .json("token").asString());
        app = "tmc-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(admin().post("/api/v1/apps", "{\"appKey\":\"" + app + "\",\"name\":\"TMC\",\"owner\":\"isv\","
                + "\"allowedApiGroups\":[\"tmc\"]}").status()).isEqualTo(201);
        RestApi op = withRole("OPERATOR");
        for (String t : List.of(TRADE_CREATE, TRADE_CLOSE, "taobao_refund_RefundCreated")) {
            op.post("/api/v1/topics", "{\"name\":\"" + t + "\",\"group\":\"taobao\"}"); // 409 after the first test
        }
        assertThat(op.post("/api/v1/subscriptions", "{\"appKey\":\"" + app + "\",\"topics\":[\"" + TRADE_CREATE + "\",\""
                + TRADE_CLOSE + "\"]}").status()).isEqualTo(201);
        assertThat(op.publish("subscribe " + app).status()).isEqualTo(201);
    }

    /** A seller with TOP's numeric user id and, unless told otherwise, a session of the test's app. */
    private String seller(String nick, boolean withSession) {
        String id = Long.toString(Math.abs(UUID.randomUUID().getMostSignificantBits() >>> 11) + 1);
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/users", "{\"userId\":\"" + id + "\",\"nick\":\"" + nick + "\"}").status()).isEqualTo(201);
        if (withSession) {
            assertThat(admin().post("/api/v1/sessions", "{\"appKey\":\"" + app + "\",\"userId\":\"" + id + "\"}").status())
                    .isEqualTo(201);
        }
        return id;
    }

    private String base() {
        return "/api/v1/metadata/tmc/apps/" + app;
    }

    private static List<String> fields(RestApi.Response r) {
        List<String> out = new ArrayList<>();
        r.json("errors").forEach(e -> out.add(e.get("field").asString()));
        return out;
    }

    private JsonNode lookupUser(String userId) {
        return agent.post("/api/v1/metadata/lookup", "{\"tmcUsers\":[\"" + userId + "\"]}").json("tmcUsers").get(userId);
    }

    private List<MetadataEvent> events() throws Exception {
        String path = ROOT + "/metadata/events";
        List<MetadataEvent> out = new ArrayList<>();
        if (curator.checkExists().forPath(path) == null) {
            return out;
        }
        List<String> children = new ArrayList<>(curator.getChildren().forPath(path));
        children.sort(null);
        for (String c : children) {
            out.add(Json.read(curator.getData().forPath(path + "/" + c), MetadataEvent.class));
        }
        return out;
    }

    @Test
    void aPermitCoversTheSubscribedTopicsAndReachesTheLookupWithAnEvent() throws Exception {
        String nick = "permit-" + app;
        String userId = seller(nick, true);
        int before = events().size();

        RestApi.Response permit = agent.post(base() + "/permits/permit", "{\"userId\":\"" + userId + "\"}");
        assertThat(permit.status()).isEqualTo(200);
        assertThat(permit.json("userId").asLong()).isEqualTo(Long.parseLong(userId));
        assertThat(permit.json("userNick").asString()).isEqualTo(nick);
        assertThat(permit.json("allSubscribedTopics").asBoolean()).isTrue();
        assertThat(permit.json("topics").toString()).isEqualTo("[\"" + TRADE_CREATE + "\",\"" + TRADE_CLOSE + "\"]");
        assertThat(permit.json("groupName").asString()).isEqualTo("default");
        assertThat(permit.json("isValid").asBoolean()).isTrue();

        JsonNode cached = lookupUser(userId);
        assertThat(cached.get("userId").asLong()).isEqualTo(Long.parseLong(userId));
        assertThat(cached.get("version").asLong()).isEqualTo(1);
        assertThat(cached.get("permits").get(0).get("appKey").asString()).isEqualTo(app);
        assertThat(cached.get("permits").get(0).get("allSubscribed").asBoolean()).isTrue();
        List<MetadataEvent> after = events();
        assertThat(after).hasSize(before + 1);
        MetadataEvent e = after.get(after.size() - 1);
        assertThat(e.kind()).isEqualTo(MetadataKind.TMC_USER);
        assertThat(e.type()).isEqualTo(MetadataEvent.Type.CHANGED);
        assertThat(e.key()).isEqualTo(userId);
        assertThat(e.version()).isEqualTo(1);

        // Narrowing to one topic replaces the permit; the version grows.
        RestApi.Response narrowed = agent.post(base() + "/permits/permit",
                "{\"userId\":\"" + userId + "\",\"topics\":[\"" + TRADE_CLOSE + "\"]}");
        assertThat(narrowed.json("allSubscribedTopics").asBoolean()).isFalse();
        assertThat(narrowed.json("topics").toString()).isEqualTo("[\"" + TRADE_CLOSE + "\"]");
        assertThat(lookupUser(userId).get("version").asLong()).isEqualTo(2);
        assertThat(agent.get(base() + "/permits?nick=" + nick).json("topics").toString())
                .isEqualTo("[\"" + TRADE_CLOSE + "\"]");

        // Cancel: true once, then false without an error; the lookup keeps the seller with no permit.
        assertThat(agent.post(base() + "/permits/cancel", "{\"nick\":\"" + nick + "\"}").json("cancelled").asBoolean())
                .isTrue();
        assertThat(agent.post(base() + "/permits/cancel", "{\"nick\":\"" + nick + "\"}").json("cancelled").asBoolean())
                .isFalse();
        assertThat(agent.post(base() + "/permits/cancel", "{\"nick\":\"nobody-" + app + "\"}").json("cancelled")
                .asBoolean()).isFalse();
        assertThat(agent.get(base() + "/permits?nick=" + nick).status()).isEqualTo(404);
        assertThat(lookupUser(userId).get("permits")).isEmpty();
        assertThat(lookupUser(userId).get("version").asLong()).isEqualTo(3);
        assertThat(events()).hasSize(before + 3);
        assertThat(admin().get("/api/v1/audit?kind=tmc-permits&key=" + app + "/" + userId).json("events")).hasSize(3);
    }

    @Test
    void badPermitsAreRefusedWithFieldErrorsAndChangeNothing() throws Exception {
        String userId = seller("bad-permit-" + app, true);
        int before = events().size();
        RestApi.Response notSubscribed = agent.post(base() + "/permits/permit",
                "{\"userId\":\"" + userId + "\",\"topics\":[\"" + TRADE_CREATE + "\",\"taobao_refund_RefundCreated\"]}");
        assertThat(notSubscribed.status()).isEqualTo(400);
        assertThat(fields(notSubscribed)).containsExactly("topics[1]");
        assertThat(notSubscribed.raw()).contains("is not a topic app '" + app + "' subscribes to");

        String noSession = seller("no-session-" + app, false);
        RestApi.Response sessionless = agent.post(base() + "/permits/permit", "{\"userId\":\"" + noSession + "\"}");
        assertThat(sessionless.status()).isEqualTo(400);
        assertThat(sessionless.raw()).contains("has no valid session of app");

        assertThat(withRole("OPERATOR").post("/api/v1/users", "{\"userId\":\"seller-x-" + app + "\",\"nick\":\"x-" + app
                + "\"}").status()).isEqualTo(201);
        RestApi.Response notNumeric = agent.post(base() + "/permits/permit", "{\"userId\":\"seller-x-" + app + "\"}");
        assertThat(notNumeric.status()).isEqualTo(400);
        assertThat(fields(notNumeric)).containsExactly("userId");

        assertThat(agent.post(base() + "/permits/permit", "{\"userId\":\"99999999999\"}").status()).isEqualTo(404);
        assertThat(agent.post("/api/v1/metadata/tmc/apps/no-such-app/permits/permit", "{\"userId\":\"" + userId + "\"}")
                .status()).isEqualTo(404);
        assertThat(agent.post(base() + "/permits/permit", "{not json").status()).isEqualTo(400);
        assertThat(lookupUser(userId).get("permits")).isEmpty();
        assertThat(events()).hasSize(before);
        // only agents: an operator's token, even an admin's, is refused
        assertThat(admin().post(base() + "/permits/permit", "{\"userId\":\"" + userId + "\"}").status()).isEqualTo(403);
        assertThat(withRole("OPERATOR").get(base() + "/groups").status()).isEqualTo(403);
    }

    @Test
    void groupsMoveSellersAndDeletingThemMovesSellersBack() throws Exception {
        String a = "grp-a-" + app;
        String b = "grp-b-" + app;
        String userA = seller(a, true);
        String userB = seller(b, true);
        String outsider = "grp-out-" + app;
        seller(outsider, true);
        for (String id : List.of(userA, userB)) {
            assertThat(agent.post(base() + "/permits/permit", "{\"userId\":\"" + id + "\"}").status()).isEqualTo(200);
        }

        RestApi.Response refused = agent.post(base() + "/groups/add",
                "{\"groupName\":\"default-vip\",\"nicks\":[\"" + a + "\",\"" + outsider + "\",\"" + a + "\"]}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(fields(refused)).containsExactly("groupName", "nicks");
        RestApi.Response notPermitted = agent.post(base() + "/groups/add",
                "{\"groupName\":\"vip\",\"nicks\":[\"" + a + "\",\"" + outsider + "\"]}");
        assertThat(fields(notPermitted)).containsExactly("nicks[1]");
        assertThat(agent.get(base() + "/groups").json("totalResults").asLong()).isZero();

        int before = events().size();
        RestApi.Response vip = agent.post(base() + "/groups/add", "{\"groupName\":\"vip\",\"nicks\":[\"" + a + "\",\"" + b + "\"]}");
        assertThat(vip.status()).isEqualTo(200);
        assertThat(vip.json("users").toString()).isEqualTo("[\"" + a + "\",\"" + b + "\"]");
        List<MetadataEvent> added = events().subList(before, events().size());
        assertThat(added).extracting(MetadataEvent::kind)
                .containsExactlyInAnyOrder(MetadataKind.TMC_USER, MetadataKind.TMC_USER, MetadataKind.TMC_GROUPS);
        assertThat(lookupUser(userA).get("permits").get(0).get("groupName").asString()).isEqualTo("vip");
        JsonNode groups = agent.post("/api/v1/metadata/lookup", "{\"tmcGroups\":[\"" + app + "\",\"no-such-app\"]}")
                .json("tmcGroups");
        assertThat(groups.has("no-such-app")).isFalse();
        assertThat(groups.get(app).get("groups").toString()).isEqualTo("[\"vip\"]");

        // A seller is in one group at a time: adding to another moves them.
        assertThat(agent.post(base() + "/groups/add", "{\"groupName\":\"night\",\"nicks\":[\"" + b + "\"]}").status())
                .isEqualTo(200);
        assertThat(lookupUser(userB).get("permits").get(0).get("groupName").asString()).isEqualTo("night");
        JsonNode page = agent.get(base() + "/groups?groupNames=vip,night").body();
        assertThat(page.get("totalResults").asLong()).isEqualTo(2);
        assertThat(page.get("groups").get(0).get("name").asString()).isEqualTo("night");
        assertThat(page.get("groups").get(1).get("users").toString()).isEqualTo("[\"" + a + "\"]");

        // Removing a nick that is not in the group is refused; removing the last member deletes the group.
        assertThat(fields(agent.post(base() + "/groups/delete", "{\"groupName\":\"vip\",\"nicks\":[\"" + b + "\"]}")))
                .containsExactly("nicks[0]");
        RestApi.Response emptied = agent.post(base() + "/groups/delete", "{\"groupName\":\"vip\",\"nicks\":[\"" + a + "\"]}");
        assertThat(emptied.json("groupDeleted").asBoolean()).isTrue();
        assertThat(lookupUser(userA).get("permits").get(0).get("groupName").asString()).isEqualTo("default");
        // Deleting a whole group moves its members back to default.
        assertThat(agent.post(base() + "/groups/delete", "{\"groupName\":\"night\"}").json("removedNicks").toString())
                .isEqualTo("[\"" + b + "\"]");
        assertThat(lookupUser(userB).get("permits").get(0).get("groupName").asString()).isEqualTo("default");
        assertThat(agent.post(base() + "/groups/delete", "{\"groupName\":\"night\"}").status()).isEqualTo(404);
        assertThat(agent.get(base() + "/groups").json("totalResults").asLong()).isZero();

        // Cancelling a permit takes the seller out of its group too.
        agent.post(base() + "/groups/add", "{\"groupName\":\"vip\",\"nicks\":[\"" + a + "\"]}");
        agent.post(base() + "/permits/cancel", "{\"nick\":\"" + a + "\"}");
        assertThat(agent.get(base() + "/groups?groupNames=vip").json("groups").get(0).get("users")).isEmpty();
    }

    @Test
    void concurrentPermitsOfOneSellerEachCountOnce() {
        String userId = seller("busy-" + app, false);
        concurrentPermits(admin(), withRole("OPERATOR"), agent, app, userId, TRADE_CREATE);
    }

    /**
     * Eight apps subscribed to one topic; one seller permits all of them at once. The first change of the seller
     * inserts its version row; the racing ones lose that insert (on PostgreSQL, which aborts their transaction) and
     * are retried whole, never lost or counted twice. Fails with 409s when changes are not retried.
     */
    static void concurrentPermits(RestApi admin, RestApi op, RestApi agent, String prefix, String userId, String topic) {
        List<String> apps = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String key = prefix + "-c" + i;
            assertThat(admin.post("/api/v1/apps", "{\"appKey\":\"" + key + "\",\"name\":\"C\",\"owner\":\"isv\","
                    + "\"allowedApiGroups\":[]}").status()).isEqualTo(201);
            assertThat(op.post("/api/v1/subscriptions", "{\"appKey\":\"" + key + "\",\"topics\":[\"" + topic + "\"]}")
                    .status()).isEqualTo(201);
            assertThat(admin.post("/api/v1/sessions", "{\"appKey\":\"" + key + "\",\"userId\":\"" + userId + "\"}")
                    .status()).isEqualTo(201);
            apps.add(key);
        }
        assertThat(op.publish("eight apps").status()).isEqualTo(201);
        ExecutorService pool = Executors.newFixedThreadPool(apps.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> calls = new ArrayList<>();
            for (String key : apps) {
                calls.add(pool.submit(() -> {
                    start.await();
                    return agent.post("/api/v1/metadata/tmc/apps/" + key + "/permits/permit",
                            "{\"userId\":\"" + userId + "\"}").status();
                }));
            }
            start.countDown();
            for (Future<Integer> call : calls) {
                assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
        JsonNode user = agent.post("/api/v1/metadata/lookup", "{\"tmcUsers\":[\"" + userId + "\"]}").json("tmcUsers").get(userId);
        assertThat(user.get("permits")).hasSize(apps.size());
        assertThat(user.get("version").asLong()).isEqualTo(apps.size());
    }

    @Test
    void nicksAreUnique() {
        seller("unique-" + app, false);
        RestApi.Response dup = withRole("OPERATOR").post("/api/v1/users", "{\"userId\":\"777" + Math.abs(app.hashCode())
                + "\",\"nick\":\"unique-" + app + "\"}");
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.raw()).contains("a user with nick 'unique-" + app + "' already exists");
    }

    /** A produce names its seller by nick: the lookup answers nick → TOP user id, for sellers with such an id only. */
    @Test
    void theLookupResolvesNicksOfSellersWithTopUserIds() {
        String nick = "nick-" + app;
        String userId = seller(nick, false);
        String other = "text-id-" + app;
        assertThat(withRole("OPERATOR").post("/api/v1/users", "{\"userId\":\"u-" + app + "\",\"nick\":\"" + other
                + "\"}").status()).isEqualTo(201);
        JsonNode nicks = agent.post("/api/v1/metadata/lookup", "{\"tmcNicks\":[\"" + nick + "\",\"" + other
                + "\",\"no-such-nick-" + app + "\"]}").json("tmcNicks");
        assertThat(nicks.size()).isEqualTo(1);
        assertThat(nicks.get(nick).asString()).isEqualTo(userId);
    }

    /** The order sync's list: every seller who permitted the app, whatever the topics; cancelled ones leave it. */
    @Test
    void agentsListTheSellersWhoPermittedAnApp() {
        String a = seller("sync-a-" + app, true);
        String b = seller("sync-b-" + app, true);
        seller("sync-c-" + app, true); // has a session, never permits
        assertThat(agent.get(base() + "/permits/sellers").json("sellers").size()).isZero();

        assertThat(agent.post(base() + "/permits/permit", "{\"userId\":\"" + a + "\"}").status()).isEqualTo(200);
        assertThat(agent.post(base() + "/permits/permit", "{\"userId\":\"" + b + "\",\"topics\":[\"" + TRADE_CLOSE
                + "\"]}").status()).isEqualTo(200);
        RestApi.Response list = agent.get(base() + "/permits/sellers");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json("appKey").asString()).isEqualTo(app);
        List<Long> ids = new ArrayList<>();
        list.json("sellers").forEach(s -> {
            ids.add(s.get("userId").asLong());
            assertThat(s.get("nick").asString()).startsWith("sync-");
            assertThat(s.get("permittedAt").asLong()).isPositive();
        });
        assertThat(ids).containsExactlyInAnyOrder(Long.parseLong(a), Long.parseLong(b));
        assertThat(ids).isSorted();

        agent.post(base() + "/permits/cancel", "{\"nick\":\"sync-a-" + app + "\"}");
        JsonNode after = agent.get(base() + "/permits/sellers").json("sellers");
        assertThat(after.size()).isEqualTo(1);
        assertThat(after.get(0).get("userId").asLong()).isEqualTo(Long.parseLong(b));
        assertThat(after.get(0).get("nick").asString()).isEqualTo("sync-b-" + app);

        assertThat(agent.get("/api/v1/metadata/tmc/apps/no-such-app-" + app + "/permits/sellers").status())
                .isEqualTo(404);
        assertThat(withRole("OPERATOR").get(base() + "/permits/sellers").status()).isEqualTo(403);
    }

    @Test
    void agentsPageThroughTheSellersWhoPermittedAnApp() {
        List<String> permitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = seller("page-" + i + "-" + app, true);
            assertThat(agent.post(base() + "/permits/permit", "{\"userId\":\"" + id + "\"}").status()).isEqualTo(200);
            permitted.add(id);
        }

        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            RestApi.Response page = agent.get(base() + "/permits/sellers?limit=2" + (after == null ? "" : "&after=" + after));
            assertThat(page.status()).isEqualTo(200);
            JsonNode sellers = page.json("sellers");
            assertThat(sellers.size()).isBetween(1, 2);
            sellers.forEach(s -> seen.add(s.get("userId").asString()));
            JsonNode next = page.json("next");
            after = next == null || next.isNull() ? null : next.asString();
            if (after != null) {
                assertThat(after).isEqualTo(seen.get(seen.size() - 1)); // the cursor is the page's last user id
            }
            pages++;
        } while (after != null && pages < 10);
        assertThat(pages).isEqualTo(3); // 2 + 2 + 1
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(permitted);

        JsonNode whole = agent.get(base() + "/permits/sellers").json("next");
        assertThat(whole == null || whole.isNull()).as("an unpaged answer has no next page").isTrue();

        RestApi.Response badLimit = agent.get(base() + "/permits/sellers?limit=0");
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.raw()).contains("limit");
        RestApi.Response tooBig = agent.get(base() + "/permits/sellers?limit=50001");
        assertThat(tooBig.status()).isEqualTo(400);
        RestApi.Response badAfter = agent.get(base() + "/permits/sellers?limit=2&after=" + "9".repeat(65));
        assertThat(badAfter.status()).isEqualTo(400);
        assertThat(badAfter.raw()).contains("after");
        assertThat(agent.get(base() + "/permits/sellers?after=" + permitted.get(0)).status()).isEqualTo(400);
    }
}
