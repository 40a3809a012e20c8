package io.topaz.control.config;

import io.topaz.control.ControlPlaneTestSupport;
import io.topaz.control.RestApi;
import io.topaz.control.TestZooKeeper;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.audit.AuditOutbox;
import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 19 point 8: listing and searching a kind read a watched in-memory view (no read of the kind from ZooKeeper per
 * page) that is never older than the draft when the listing began, also for writes made through another control
 * plane's session; paging parameters are checked before any arithmetic, 400 naming the field.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConfigListingTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();

    @Autowired
    CuratorFramework curator;
    @Autowired
    ZkLayout layout;
    @Autowired
    DraftStore store;
    @Autowired
    AuditLog auditLog;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    @Test
    void aListingSeesEveryWriteThatReturnedBeforeIt() {
        RestApi op = withRole("OPERATOR");
        for (int i = 0; i < 12; i++) {
            String method = "taobao.view.n" + (char) ('a' + i);
            assertThat(op.post("/api/v1/apis", api(method, "viewing", "http://127.0.0.1:9090")).status()).isEqualTo(201);
            JsonNode page = op.get("/api/v1/apis?q=taobao.view&limit=1000").body();
            assertThat(page.get("total").asInt()).isEqualTo(i + 1);
            assertThat(keys(page)).last().isEqualTo(method); // by key
        }
        RestApi.Response one = op.get("/api/v1/apis/taobao.view.nc");
        assertThat(op.delete("/api/v1/apis/taobao.view.nc", one.json("version").asLong()).status()).isEqualTo(204);
        assertThat(keys(op.get("/api/v1/apis?q=taobao.view&limit=1000").body())).doesNotContain("taobao.view.nc").hasSize(11);
        RestApi.Response page = op.get("/api/v1/apis?q=taobao.view&offset=10&limit=5");
        assertThat(page.json("total").asInt()).isEqualTo(11);
        assertThat(keys(page.body())).containsExactly("taobao.view.nl");
    }

    @Test
    void writesThroughAnotherControlPlaneAreListedAsSoonAsTheyReturn() throws Exception {
        try (CuratorFramework other = CuratorFrameworkFactory.newClient(TestZooKeeper.connectString(), 10_000, 5_000,
                new ExponentialBackoffRetry(100, 3))) {
            other.start();
            AuditOutbox outbox = new AuditOutbox(other, layout, auditLog, Clock.systemUTC());
            ConfigService elsewhere = new ConfigService(new DraftStore(other, layout, Clock.systemUTC(), outbox), outbox);
            RestApi op = withRole("OPERATOR");
            assertThat(op.get("/api/v1/apis?q=taobao.other").json("total").asInt()).isZero(); // the view is started
            for (int i = 0; i < 10; i++) {
                String method = "taobao.other.n" + i;
                elsewhere.create(ConfigKind.APIS, Json.strict().readValue(api(method, "other", "http://127.0.0.1:9090"),
                        ApiDefinition.class), "elsewhere");
                assertThat(keys(op.get("/api/v1/apis?q=taobao.other&limit=1000").body())).contains(method).hasSize(i + 1);
            }
        }
    }

    /**
     * The kind's node is made unreadable to the control plane's session (an ACL only another identity passes): a
     * listing that read the kind from ZooKeeper would fail; the view keeps answering every page and search.
     */
    @Test
    void pagesAreServedWithoutReadingTheKindFromZooKeeper() throws Exception {
        RestApi op = withRole("OPERATOR");
        for (int i = 0; i < 5; i++) {
            assertThat(op.post("/api/v1/apis", api("taobao.count.n" + i, "counting", "http://127.0.0.1:9090")).status())
                    .isEqualTo(201);
        }
        assertThat(op.get("/api/v1/apis?q=taobao.count").json("total").asInt()).isEqualTo(5);
        String kindNode = layout.draftKind(ConfigKind.APIS);
        List<ACL> locked = List.of(new ACL(ZooDefs.Perms.ALL,
                new Id("digest", DigestAuthenticationProvider.generateDigest("listing-lock:pw"))));
        try (CuratorFramework lock = CuratorFrameworkFactory.builder().connectString(TestZooKeeper.connectString())
                .retryPolicy(new ExponentialBackoffRetry(100, 3)).authorization("digest", "listing-lock:pw".getBytes())
                .build()) {
            lock.start();
            lock.setACL().withACL(locked).forPath(kindNode);
            try {
                assertThatThrownBy(() -> store.list(ConfigKind.APIS)).isInstanceOf(KeeperException.NoAuthException.class);
                for (int i = 0; i < 5; i++) {
                    RestApi.Response page = op.get("/api/v1/apis?q=taobao.count&offset=" + i + "&limit=1");
                    assertThat(page.status()).as(page.raw()).isEqualTo(200);
                    assertThat(keys(page.body())).containsExactly("taobao.count.n" + i);
                }
            } finally {
                lock.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(kindNode);
            }
        }
    }

    @Test
    void pagingParametersAreCheckedAndNamed() {
        RestApi viewer = withRole("VIEWER");
        assertField(viewer.get("/api/v1/apis?offset=-1"), "offset");
        assertField(viewer.get("/api/v1/apis?limit=0"), "limit");
        assertField(viewer.get("/api/v1/apis?limit=1001"), "limit");
        assertField(viewer.get("/api/v1/apis?offset=99999999999"), "offset"); // not an int at all
        assertField(viewer.get("/api/v1/apis?offset=2000000000"), "offset");
        assertThat(viewer.get("/api/v1/apis?offset=1000000000&limit=1000").status()).isEqualTo(200);
        assertField(viewer.get("/api/v1/releases?offset=-5"), "offset");
        assertField(viewer.get("/api/v1/releases?limit=abc"), "limit");
        // offset + limit would overflow an int: an empty page, not a failure
        RestApi.Response far = viewer.get("/api/v1/releases?offset=1000000000&limit=1000");
        assertThat(far.status()).isEqualTo(200);
        assertThat(far.body().size()).isZero();
        assertField(viewer.get("/api/v1/audit?offset=-1"), "offset");
        assertField(viewer.get("/api/v1/apps?page=2147483647&size=500"), "page");
        assertField(viewer.get("/api/v1/apps?page=-1"), "page");
        assertField(viewer.get("/api/v1/users?size=100000"), "size");
    }

    private static void assertField(RestApi.Response r, String field) {
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.json("errors")).as(r.raw()).isNotEmpty();
        assertThat(r.json("errors").get(0).get("field").asString()).as(r.raw()).isEqualTo(field);
        assertThat(r.json("errors").get(0).get("rule").asString()).isNotBlank();
        assertThat(r.raw()).doesNotContain("Exception");
    }

    private static List<String> keys(JsonNode page) {
        List<String> keys = new java.util.ArrayList<>();
        page.get("items").forEach(i -> keys.add(i.get("key").asString()));
        return keys;
    }
}
