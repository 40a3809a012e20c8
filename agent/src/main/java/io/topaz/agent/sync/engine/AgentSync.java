package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.agent.AgentSettings;
import io.topaz.agent.admin.AdminServer;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.sync.ControlPlaneSellerPermits;
import io.topaz.agent.sync.ControlPlaneSyncCredentials;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** The order sync inside an agent started with {@code --orders-db-url}: checks its needs, starts it, adds its routes. */
public final class AgentSync {

    private AgentSync() {
    }

    /**
     * @param broker the agent's broker, or null when it runs none (refused)
     * @param metadata the agent's metadata client (a password change's event drops the cached password)
     * @param http   the executor of the control-plane HTTP client, or null when the agent has no {@code --control-url}
     *               (refused)
     */
    public static SyncEngine start(AgentSettings settings, CuratorFramework curator, ZkLayout layout, Broker broker,
                                   Supplier<ConfigSnapshot> release, MetadataClient metadata, Executor http,
                                   Clock clock,
                                   MeterRegistry registry, AdminServer admin) {
        if (broker == null || http == null || metadata == null) {
            throw new IllegalArgumentException("--orders-db-url needs --broker-port, --control-url and --agent-token: "
                    + "the order sync consumes trade messages through the broker and reads the targets' passwords "
                    + "and the sellers who permitted their apps from the control plane");
        }
        SyncEngine sync = SyncEngine.start(new SyncEngine.Context(settings.id(), settings.zone(), settings.cluster(), curator,
                layout,
                broker, () -> SyncConfig.of(release.get()), ControlPlaneSyncCredentials.create(
                settings.metadata().controlUrl(), settings.metadata().agentToken(), http, metadata),
                new JdbcStores(clock),
                settings.ordersDbUrl(), clock, registry, ControlPlaneSellerPermits.create(
                settings.metadata().controlUrl(), settings.metadata().agentToken(), http, metadata)));
        sync.status().install(admin);
        return sync;
    }
}
