package io.topaz.control;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;

import java.util.UUID;

/**
 * Shared setup for full control-plane tests: a real ZooKeeper server under a root of the class's own, an in-memory H2
 * database of the class's own (allowed with an external ZooKeeper: each class runs one control plane), and a known
 * bootstrap admin token.
 */
public abstract class ControlPlaneTestSupport {

    public static final String ADMIN_TOKEN = "tpz_test-admin-token-0123456789abcdef";

    @LocalServerPort
    protected int port;

    protected static void register(DynamicPropertyRegistry r, String connectString, String root) {
        r.add("topaz.zookeeper.connect-string", () -> connectString);
        r.add("topaz.zookeeper.root", () -> root);
        r.add("topaz.zookeeper.session-timeout", () -> "10s");
        r.add("topaz.security.bootstrap-admin-token", () -> ADMIN_TOKEN);
        r.add("topaz.security.token-cache-ttl", () -> "0s");
        r.add("spring.datasource.url", () -> "jdbc:h2:mem:cp-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        // one instance per test class: its in-memory H2 with the shared test ZooKeeper is allowed on purpose
        r.add("topaz.ha.allow-h2-with-external-zookeeper", () -> "true");
    }

    protected RestApi admin() {
        return new RestApi("http://127.0.0.1:" + port, ADMIN_TOKEN);
    }

    protected RestApi anonymous() {
        return new RestApi("http://127.0.0.1:" + port, null);
    }

    /** Creates a token with a role and returns a client that uses it. */
    protected RestApi withRole(String role) {
        String name = role.toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 6);
        RestApi.Response r = admin().post("/api/v1/tokens", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
        if (r.status() != 201) {
            throw new IllegalStateException("cannot create a " + role + " token: " + r.raw());
        }
        return admin().as(r.body().get("token").asString());
    }

    protected static String api(String method, String group, String upstream) {
        return """
                {"method":"%s","apiGroup":"%s","upstreams":[{"url":"%s","weight":100}],
                 "timeoutMillis":3000,"sessionRequired":false,"requiredParameters":[]}"""
                .formatted(method, group, upstream);
    }
}
