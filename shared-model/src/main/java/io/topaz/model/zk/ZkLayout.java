package io.topaz.model.zk;

import io.topaz.model.config.ConfigKind;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The one owner of Topaz's ZooKeeper paths. Nothing else builds a path by hand.
 *
 * <pre>
 * {root}                          default /topaz
 * ├── draft/{kind}/{key}          one node per draft entry: a ConfigItem (value + version)
 * ├── draft-revision              the draft's revision and its recent changes, bumped in every draft write's transaction
 * ├── audit-outbox/a-{seq}        audit records written in the same transaction as the change, moved to the database
 * ├── publish-keys/{key}          Idempotency-Key of each recent publish or rollback and the release it made
 * ├── releases/{0000000042}       one node per release: its ReleaseManifest (never changed once written)
 * ├── blobs/{sha256}              gzip'd JSON arrays of entries, content-addressed and shared between releases
 * ├── live                        the manifest of the live release; agents watch this one node
 * ├── agents/{agentId}            ephemeral: each live agent's AgentInfo, with the release it has applied
 * ├── metadata/events/e-{seq}     metadata events (keys created; apps and sessions changed), pruned after a while
 * ├── locks/publish               the publish mutex
 * ├── locks/leader/…              the control planes' leader election (Curator LeaderLatch): the leader runs the singletons
 * ├── locks/bootstrap             held while a starting control plane creates its bootstrap tokens
 * ├── token-revocations           bumped at every token revocation: each control plane drops its cached tokens
 * ├── agent-acl                   the ACL agents give the nodes they create (an {@link AgentNodeAcl}), by the control plane
 * ├── sync/placements/{group}     which live agent syncs each seller group (a GroupPlacement), by the leader
 * └── broker/                     the broker's nodes, written by agents:
 *     ├── message-ids             the next free message id (a decimal number); agents take blocks by compare-and-set
 *     ├── draining/{agentId}      ephemeral: a broker agent stopping gracefully, handing its queues over
 *     └── drain-acks/{agentId}/{peerId}  ephemeral: peer has stopped routing to the draining agent
 * </pre>
 *
 * <p>Agents write only under {@link #agentOwned()} ({@code agents/} and {@code broker/}); everything else is written
 * by the control plane alone and read by agents (see the ACL table in docs/operations.md).
 *
 * <p>No node grows with the number of entries: a draft entry is one node, and a release's entries are split into
 * buckets by key hash, each bucket a blob well under ZooKeeper's 1 MB node limit, so tens of thousands of APIs fit.
 * An unchanged bucket keeps its hash, so a publish that changes one API writes one new blob.
 */
public final class ZkLayout {

    public static final String DEFAULT_ROOT = "/topaz";

    private final String root;

    public ZkLayout(String root) {
        if (root == null || !root.startsWith("/") || root.endsWith("/") || root.length() < 2) {
            throw new IllegalArgumentException("ZooKeeper root must start with '/' and not end with one, was '" + root + "'");
        }
        this.root = root;
    }

    public static ZkLayout defaults() {
        return new ZkLayout(DEFAULT_ROOT);
    }

    public String root() {
        return root;
    }

    public String drafts() {
        return root + "/draft";
    }

    public String draftKind(ConfigKind<?> kind) {
        return drafts() + "/" + kind.name();
    }

    public String draftItem(ConfigKind<?> kind, String key) {
        return draftKind(kind) + "/" + encodeKey(key);
    }

    /**
     * The draft's revision: a persistent node (not a container, so it outlives an empty draft) whose data counts every
     * draft write; each write sets it with a version check in the write's own transaction.
     */
    public String draftRevision() {
        return root + "/draft-revision";
    }

    /** Parent of the audit outbox: one persistent sequential node {@code a-<seq>} per change not yet in the database. */
    public String auditOutbox() {
        return root + "/audit-outbox";
    }

    public String auditOutboxPrefix() {
        return auditOutbox() + "/a-";
    }

    /** Parent of the idempotency keys of recent publishes and rollbacks. */
    public String publishKeys() {
        return root + "/publish-keys";
    }

    public String publishKey(String idempotencyKey) {
        return publishKeys() + "/" + encodeKey(idempotencyKey);
    }

    public String releases() {
        return root + "/releases";
    }

    public String release(long number) {
        return releases() + "/" + releaseNodeName(number);
    }

    public static String releaseNodeName(long number) {
        return String.format("%010d", number);
    }

    public String blobs() {
        return root + "/blobs";
    }

    public String blob(String sha256) {
        return blobs() + "/" + sha256;
    }

    public String live() {
        return root + "/live";
    }

    public String agents() {
        return root + "/agents";
    }

    public String agent(String agentId) {
        return agents() + "/" + encodeKey(agentId);
    }

    /** Parent of the metadata events: persistent sequential nodes {@code e-<seq>} (keys created, apps or sessions changed). */
    public String metadataEvents() {
        return root + "/metadata/events";
    }

    public String metadataEventPrefix() {
        return metadataEvents() + "/e-";
    }

    /** The message-id counter: the next id no agent has taken (docs/tmc-protocol.md, "Message ids"). */
    public String messageIds() {
        return broker() + "/message-ids";
    }

    /** Parent of the ephemeral nodes of broker agents that stop gracefully (their queues go to other agents). */
    public String brokerDraining() {
        return broker() + "/draining";
    }

    public String brokerDraining(String agentId) {
        return brokerDraining() + "/" + encodeKey(agentId);
    }

    /** Parent of the acknowledgements that peers no longer route to draining agent {@code agentId}. */
    public String brokerDrainAcks(String agentId) {
        return broker() + "/drain-acks/" + encodeKey(agentId);
    }

    public String brokerDrainAck(String agentId, String peerId) {
        return brokerDrainAcks(agentId) + "/" + encodeKey(peerId);
    }

    public String publishLock() {
        return locks() + "/publish";
    }

    /** The control planes' leader election: one {@code LeaderLatch} participant per running control plane. */
    public String leaderLatch() {
        return locks() + "/leader";
    }

    /** Held while a control plane creates the tokens it needs at start, so two starting at once create them once. */
    public String bootstrapLock() {
        return locks() + "/bootstrap";
    }

    /**
     * A persistent node whose data every token revocation on any control plane sets; each control plane watches it and
     * drops its cached tokens, so a revoked token is refused by all of them at once. The control plane's alone.
     */
    public String tokenRevocations() {
        return root + "/token-revocations";
    }

    /** Parent of the control plane's locks (the publish mutex, and any other). */
    public String locks() {
        return root + "/locks";
    }

    /** Where the control plane publishes the {@link AgentNodeAcl} agents give the nodes they create. */
    public String agentNodeAcl() {
        return root + "/agent-acl";
    }

    /**
     * Parent of the seller groups' runtime placements ({@code io.topaz.model.placement.GroupPlacement}, JSON), written
     * by the control plane's leader alone, read by agents.
     */
    public String syncPlacements() {
        return root + "/sync/placements";
    }

    public String syncPlacement(String group) {
        return syncPlacements() + "/" + encodeKey(group);
    }

    /**
     * Parent of the ephemeral nodes of a cluster's syncing agents, whose data is their
     * {@code io.topaz.model.placement.SyncAgentLoad} (JSON; agents written before it hold their bare id).
     */
    public String syncAgents(String cluster) {
        return broker() + "/sync/agents/" + encodeKey(cluster);
    }

    public String syncAgent(String cluster, String agentId) {
        return syncAgents(cluster) + "/" + encodeKey(agentId);
    }

    /** The broker's subtree: agents create, update and delete nodes below it. */
    public String broker() {
        return root + "/broker";
    }

    /** The subtrees agents write (registrations, the broker's nodes); the control plane creates them at start. */
    public List<String> agentOwned() {
        return List.of(agents(), broker());
    }

    /** Whether {@code path} is one of {@link #agentOwned()} or below one. */
    public boolean isAgentOwned(String path) {
        for (String owned : agentOwned()) {
            if (path.equals(owned) || path.startsWith(owned + "/")) {
                return true;
            }
        }
        return false;
    }

    /** Makes any key a legal single path segment (no '/', never '.' or '..'). */
    public static String encodeKey(String key) {
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);
        if (encoded.equals(".") || encoded.equals("..")) {
            return encoded.replace(".", "%2E");
        }
        return encoded;
    }

    public static String decodeKey(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }
}
