package io.topaz.control.security;

import io.topaz.control.ControlPlaneTestSupport;
import io.topaz.control.RestApi;
import io.topaz.control.TestZooKeeper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PUBLISHER role (platform services publishing on agents' broker ports) and the control plane's own AGENT token:
 * {@code GET /api/v1/me} answers every valid token with its role, as agents use it to check tokens; a publisher may do
 * nothing else here.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PublisherRoleTest extends ControlPlaneTestSupport {

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), TestZooKeeper.uniqueRoot());
    }

    @Autowired
    InternalAgentToken internalToken;

    @Test
    void meAnswersEveryRoleIncludingAgentsAndPublishers() {
        for (String role : List.of("VIEWER", "OPERATOR", "ADMIN", "AGENT", "PUBLISHER")) {
            RestApi.Response me = withRole(role).get("/api/v1/me");
            assertThat(me.status()).as(role).isEqualTo(200);
            assertThat(me.json("role").asString()).isEqualTo(role);
            assertThat(me.json("name").asString()).startsWith(role.toLowerCase() + "-");
        }
        assertThat(anonymous().get("/api/v1/me").status()).isEqualTo(401);
        assertThat(anonymous().as("tpz_not-a-token-0123456789abcdef").get("/api/v1/me").status()).isEqualTo(401);
    }

    @Test
    void aPublisherMayDoNothingElseOnTheControlPlane() {
        RestApi publisher = withRole("PUBLISHER");
        assertThat(publisher.get("/api/v1/agents").status()).isEqualTo(403);
        assertThat(publisher.get("/api/v1/apis").status()).isEqualTo(403);
        assertThat(publisher.get("/api/v1/metadata/filters/apps").status()).isEqualTo(403);
        assertThat(publisher.post("/api/v1/releases", "{\"message\":\"x\"}").status()).isEqualTo(403);
        assertThat(publisher.get("/api/v1/tokens").status()).isEqualTo(403);
    }

    @Test
    void theControlPlanesOwnAgentTokenIsAnAgentTokenAndComesBackAfterARevoke() {
        String secret = internalToken.secret();
        RestApi.Response me = admin().as(secret).get("/api/v1/me");
        assertThat(me.json("role").asString()).isEqualTo("AGENT");
        // an external ZooKeeper (other control planes may share it): the token's name is this instance's own
        assertThat(internalToken.name()).startsWith(InternalAgentToken.NAME + "-");
        assertThat(me.json("name").asString()).isEqualTo(internalToken.name());
        assertThat(internalToken.secret()).as("kept while valid").isEqualTo(secret);

        assertThat(admin().delete("/api/v1/tokens/" + internalToken.name(), null).status()).isEqualTo(204);
        assertThat(admin().as(secret).get("/api/v1/me").status()).isEqualTo(401);

        String next = internalToken.secret();
        assertThat(next).isNotEqualTo(secret);
        assertThat(admin().as(next).get("/api/v1/me").json("role").asString()).isEqualTo("AGENT");
        assertThat(admin().get("/api/v1/tokens").body()).filteredOn(t -> t.get("name").asString()
                .equals(internalToken.name()) && t.get("status").asString().equals("ACTIVE")).hasSize(1);
    }
}
