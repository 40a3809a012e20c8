package io.topaz.control.zk;

import io.topaz.agent.fleet.AgentAcls;
import io.topaz.control.TestZooKeeper;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.zk.ZkCredentials;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ACLs Topaz puts on its ZooKeeper tree, checked against a real server: what a client without credentials, an
 * agent's identity and the control plane's identity may each do, and the migration of a tree written without ACLs.
 */
class ZkAccessControlTest {

    private static final ZkCredentials CP = ZkCredentials.parse("topaz-cp:cp-secret-1", "test");
    private static final ZkCredentials AGENT = ZkCredentials.parse("topaz-agent:agent-secret-1", "test");

    private final List<CuratorFramework> clients = new ArrayList<>();
    private ZkLayout layout;
    private ZkAclPolicy policy;

    @BeforeEach
    void layout() {
        layout = new ZkLayout(TestZooKeeper.uniqueRoot());
        policy = new ZkAclPolicy(layout, new ZkIdentities(CP, AGENT.digestId()));
    }

    @AfterEach
    void close() {
        clients.forEach(CuratorFramework::close);
    }

    @Test
    void aClientWithoutCredentialsCanNeitherReadNorWriteAnythingUnderTheRoot() throws Exception {
        CuratorFramework cp = controlPlane();
        new ZkTree(cp, layout, policy).prepare();
        writeReleaseAsTheControlPlane(cp);
        CuratorFramework anonymous = client(null, null);

        for (String path : List.of(layout.root(), layout.live(), layout.release(1), layout.releases(), layout.blob("b1"),
                layout.agents(), layout.broker(), layout.draftItem(ConfigKind.APIS, "taobao.item.get"))) {
            assertNoAuth(() -> anonymous.getData().forPath(path));
        }
        assertNoAuth(() -> anonymous.getChildren().forPath(layout.root()));
        assertNoAuth(() -> anonymous.checkExists().forPath(layout.live()));
        assertNoAuth(() -> anonymous.getChildren().forPath(layout.agents()));
        assertNoAuth(() -> anonymous.setData().forPath(layout.live(), bytes("{\"release\":666}")));
        assertNoAuth(() -> anonymous.delete().forPath(layout.live()));
        assertNoAuth(() -> anonymous.create().forPath(layout.root() + "/intruder"));
        assertNoAuth(() -> anonymous.create().forPath(layout.agent("fake")));
        assertNoAuth(() -> anonymous.create().forPath(layout.broker() + "/message-ids"));
        assertNoAuth(() -> anonymous.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(layout.live()));
        assertThat(new String(cp.getData().forPath(layout.live()), StandardCharsets.UTF_8)).isEqualTo("{\"release\":1}");
    }

    @Test
    void agentsReadWhatIsPublishedButCannotMoveLiveNorTouchTheDraft() throws Exception {
        CuratorFramework cp = controlPlane();
        new ZkTree(cp, layout, policy).prepare();
        writeReleaseAsTheControlPlane(cp);
        CuratorFramework agent = agent();

        assertThat(agent.getData().forPath(layout.live())).isEqualTo(bytes("{\"release\":1}"));
        assertThat(agent.getData().forPath(layout.release(1))).isEqualTo(bytes("{\"release\":1}"));
        assertThat(agent.getData().forPath(layout.blob("b1"))).isEqualTo(bytes("entries"));
        assertThat(agent.getChildren().forPath(layout.metadataEvents())).hasSize(1);
        // agents watch the revocations to drop the tokens they cached (a timestamp: nothing secret), but cannot bump it
        cp.create().creatingParentsIfNeeded().forPath(layout.tokenRevocations(), bytes("1"));
        assertThat(agent.getData().forPath(layout.tokenRevocations())).isEqualTo(bytes("1"));
        assertNoAuth(() -> agent.setData().forPath(layout.tokenRevocations(), bytes("2")));

        assertNoAuth(() -> agent.setData().forPath(layout.live(), bytes("{\"release\":666}")));
        assertNoAuth(() -> agent.delete().forPath(layout.live()));
        assertNoAuth(() -> agent.setData().forPath(layout.release(1), bytes("{}")));
        assertNoAuth(() -> agent.create().forPath(layout.release(2), bytes("{}")));
        assertNoAuth(() -> agent.create().forPath(layout.blob("evil"), bytes("{}")));
        assertNoAuth(() -> agent.create().forPath(layout.root() + "/live2"));
        assertNoAuth(() -> agent.getData().forPath(layout.draftItem(ConfigKind.APIS, "taobao.item.get")));
        assertNoAuth(() -> agent.create().creatingParentContainersIfNeeded()
                .forPath(layout.draftItem(ConfigKind.APIS, "taobao.evil.get"), bytes("{}")));
        assertNoAuth(() -> agent.create().creatingParentContainersIfNeeded().forPath(layout.publishLock() + "/x"));
        assertNoAuth(() -> agent.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(layout.agents()));
        assertThat(cp.getData().forPath(layout.live())).isEqualTo(bytes("{\"release\":1}"));
    }

    @Test
    void agentsWriteTheSubtreesTheyOwnAndTheControlPlaneKeepsEveryRightOnThem() throws Exception {
        CuratorFramework cp = controlPlane();
        new ZkTree(cp, layout, policy).prepare();
        CuratorFramework agent = agent();

        agent.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(layout.agent("agent-1"), bytes("{\"id\":\"agent-1\"}"));
        agent.setData().forPath(layout.agent("agent-1"), bytes("{\"id\":\"agent-1\",\"release\":1}"));
        String counter = layout.broker() + "/message-ids";
        agent.create().creatingParentContainersIfNeeded().forPath(counter, bytes("0"));
        Stat stat = new Stat();
        agent.getData().storingStatIn(stat).forPath(counter);
        agent.setData().withVersion(stat.getVersion()).forPath(counter, bytes("1000"));
        assertThatThrownBy(() -> agent.setData().withVersion(stat.getVersion()).forPath(counter, bytes("2000")))
                .isInstanceOf(KeeperException.BadVersionException.class);
        // a parent Curator creates on the way gets the subtree's ACL too
        agent.create().creatingParentContainersIfNeeded().forPath(layout.broker() + "/draining/agent-1");

        for (String path : List.of(layout.agent("agent-1"), counter, layout.broker() + "/draining",
                layout.broker() + "/draining/agent-1")) {
            // read as the control plane: ZooKeeper shows digests only to a client with the ADMIN right
            assertThat(cp.getACL().forPath(path)).as(path).containsExactlyInAnyOrderElementsOf(agentWritable());
        }
        assertThat(cp.getChildren().forPath(layout.agents())).containsExactly("agent-1");
        assertThat(cp.getData().forPath(counter)).isEqualTo(bytes("1000"));
        cp.delete().forPath(layout.broker() + "/draining/agent-1");
        cp.setData().forPath(layout.agent("agent-1"), bytes("{}"));
        agent.delete().forPath(layout.agent("agent-1"));
        // the parents themselves stay the control plane's: agents cannot remove or re-ACL them
        assertNoAuth(() -> agent.delete().forPath(layout.agents()));
        assertNoAuth(() -> agent.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(layout.broker()));
    }

    @Test
    void theControlPlaneMayDoEverything() throws Exception {
        CuratorFramework cp = controlPlane();
        new ZkTree(cp, layout, policy).prepare();
        writeReleaseAsTheControlPlane(cp);

        cp.setData().forPath(layout.live(), bytes("{\"release\":2}"));
        cp.delete().forPath(layout.blob("b1"));
        cp.create().creatingParentContainersIfNeeded().forPath(layout.agent("stale"));
        cp.delete().forPath(layout.agent("stale"));
        assertThat(cp.getACL().forPath(layout.root())).containsExactlyInAnyOrderElementsOf(agentReadable());
        assertThat(cp.getACL().forPath(layout.live())).containsExactlyInAnyOrderElementsOf(agentReadable());
        assertThat(cp.getACL().forPath(layout.draftItem(ConfigKind.APIS, "taobao.item.get")))
                .containsExactly(new ACL(Perms.ALL, new Id("digest", CP.digestId())));
        assertThat(cp.getACL().forPath(layout.agents())).containsExactlyInAnyOrderElementsOf(agentWritable());
        assertThat(cp.getACL().forPath(layout.broker())).containsExactlyInAnyOrderElementsOf(agentWritable());
    }

    @Test
    void aTreeWrittenWithoutAclsIsLockedDownAtStartAndOnlyOnce() throws Exception {
        CuratorFramework old = client(null, null); // an earlier version: no credentials, open ACLs
        old.create().creatingParentContainersIfNeeded().forPath(layout.release(1), bytes("{\"release\":1}"));
        old.create().forPath(layout.live(), bytes("{\"release\":1}"));
        old.create().creatingParentContainersIfNeeded()
                .forPath(layout.draftItem(ConfigKind.APIS, "taobao.item.get"), bytes("{}"));
        old.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(layout.agent("old-agent"));
        old.create().creatingParentContainersIfNeeded().forPath(layout.metadataEventPrefix() + "0000000001", bytes("{}"));
        assertThat(old.getACL().forPath(layout.live())).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);

        CuratorFramework cp = controlPlane();
        ZkTree tree = new ZkTree(cp, layout, policy);
        assertThat(tree.prepare()).isGreaterThanOrEqualTo(9);

        for (String path : List.of(layout.root(), layout.live(), layout.releases(), layout.release(1), layout.drafts(),
                layout.draftItem(ConfigKind.APIS, "taobao.item.get"), layout.agents(),
                layout.agent("old-agent"), layout.broker(), layout.metadataEvents(), layout.metadataEventPrefix() + "0000000001")) {
            assertThat(cp.getACL().forPath(path)).as(path).containsExactlyInAnyOrderElementsOf(policy.getAclForPath(path));
        }
        CuratorFramework anonymous = client(null, null);
        assertNoAuth(() -> anonymous.getData().forPath(layout.live()));
        assertNoAuth(() -> anonymous.setData().forPath(layout.live(), bytes("{\"release\":666}")));
        assertNoAuth(() -> anonymous.getData().forPath(layout.release(1)));
        assertThat(agent().getData().forPath(layout.live())).isEqualTo(bytes("{\"release\":1}"));

        assertThat(tree.prepare()).as("a second start finds the tree done").isZero();
    }

    @Test
    void theRevocationsNodeOfAnEarlierVersionBecomesReadableByAgentsAtStart() throws Exception {
        CuratorFramework cp = controlPlane();
        ZkTree tree = new ZkTree(cp, layout, policy);
        tree.prepare(); // a tree already under ACLs: the full migration does not run again
        List<ACL> controlPlaneOnly = policy.getAclForPath(layout.drafts()); // what earlier versions gave the node
        cp.create().withACL(controlPlaneOnly).forPath(layout.tokenRevocations(), bytes("1"));
        CuratorFramework agent = agent();
        assertNoAuth(() -> agent.getData().forPath(layout.tokenRevocations()));

        assertThat(tree.prepare()).as("one node brought to the policy").isEqualTo(1);
        assertThat(agent.getData().forPath(layout.tokenRevocations())).isEqualTo(bytes("1"));
        assertNoAuth(() -> agent.setData().forPath(layout.tokenRevocations(), bytes("2")));
        assertThat(tree.prepare()).as("a second start finds it done").isZero();
    }

    @Test
    void nodesAnAgentCreatedBeforeAnyControlPlaneRanAreLockedDownWhenOneStarts() throws Exception {
        CuratorFramework agent = agent();
        agent.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(layout.agent("early"));

        CuratorFramework cp = controlPlane();
        new ZkTree(cp, layout, policy).prepare();

        assertThat(cp.getACL().forPath(layout.agent("early"))).containsExactlyInAnyOrderElementsOf(agentWritable());
        assertNoAuth(() -> client(null, null).getData().forPath(layout.agent("early")));
        agent.setData().forPath(layout.agent("early"), bytes("{}"));
    }

    @Test
    void aControlPlaneWithoutCredentialsRefusesToStartOnAProtectedTree() throws Exception {
        new ZkTree(controlPlane(), layout, policy).prepare();
        ZkAclPolicy open = new ZkAclPolicy(layout, ZkIdentities.open());
        assertThatThrownBy(() -> new ZkTree(client(null, open), layout, open).prepare())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("protected by ACLs").hasMessageContaining("topaz.zookeeper.auth.control-plane-file");
    }

    @Test
    void aControlPlaneWithOtherCredentialsIsToldSo() throws Exception {
        new ZkTree(controlPlane(), layout, policy).prepare();
        ZkCredentials other = ZkCredentials.parse("topaz-cp:rotated-without-migration", "test");
        ZkAclPolicy otherPolicy = new ZkAclPolicy(layout, new ZkIdentities(other, AGENT.digestId()));
        assertThatThrownBy(() -> new ZkTree(client(other, otherPolicy), layout, otherPolicy).prepare())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("other credentials")
                .hasMessageNotContaining("rotated-without-migration");
    }

    @Test
    void withoutIdentitiesEverythingStaysOpenAsBefore() throws Exception {
        ZkAclPolicy open = new ZkAclPolicy(layout, ZkIdentities.open());
        CuratorFramework cp = client(null, open);
        assertThat(new ZkTree(cp, layout, open).prepare()).isZero();
        cp.create().creatingParentContainersIfNeeded().forPath(layout.live(), bytes("{}"));
        assertThat(cp.getACL().forPath(layout.live())).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);
        assertThat(client(null, null).getData().forPath(layout.live())).isEqualTo(bytes("{}"));
    }

    private void writeReleaseAsTheControlPlane(CuratorFramework cp) throws Exception {
        cp.create().creatingParentContainersIfNeeded()
                .forPath(layout.draftItem(ConfigKind.APIS, "taobao.item.get"), bytes("{}"));
        cp.create().creatingParentContainersIfNeeded().forPath(layout.blob("b1"), bytes("entries"));
        cp.create().creatingParentContainersIfNeeded().forPath(layout.release(1), bytes("{\"release\":1}"));
        cp.create().forPath(layout.live(), bytes("{\"release\":1}"));
        cp.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(layout.metadataEventPrefix(), bytes("{}"));
    }

    private List<ACL> agentReadable() {
        return List.of(new ACL(Perms.ALL, new Id("digest", CP.digestId())), new ACL(Perms.READ, new Id("digest", AGENT.digestId())));
    }

    private List<ACL> agentWritable() {
        return List.of(new ACL(Perms.ALL, new Id("digest", CP.digestId())),
                new ACL(Perms.READ | Perms.WRITE | Perms.CREATE | Perms.DELETE, new Id("digest", AGENT.digestId())));
    }

    private CuratorFramework controlPlane() {
        return client(CP, policy);
    }

    private CuratorFramework agent() {
        AgentAcls acls = new AgentAcls(layout, AGENT);
        CuratorFramework c = client(AGENT, acls);
        acls.attach(c);
        return c;
    }

    private CuratorFramework client(ZkCredentials credentials, org.apache.curator.framework.api.ACLProvider acls) {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder().connectString(TestZooKeeper.connectString())
                .retryPolicy(new RetryOneTime(100));
        if (credentials != null) {
            b.authorization("digest", credentials.authBytes());
        }
        if (acls != null) {
            b.aclProvider(acls);
        }
        CuratorFramework c = b.build();
        c.start();
        clients.add(c);
        return c;
    }

    private static void assertNoAuth(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(KeeperException.NoAuthException.class);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
