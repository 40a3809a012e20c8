package io.topaz.console;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.ConnectionStatus;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Role;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class MainViewModelTest {

    private final TestCluster cluster = TestCluster.get();

    private MainViewModel main(Session session, BackgroundWork work, AtomicBoolean signedOut) {
        return new MainViewModel(session, work, Clock.systemUTC(), ZoneId.of("UTC"), () -> signedOut.set(true));
    }

    @Test
    void navigatesFleetConfigReleasesAuditAndLoadsAScreenWhenShown() {
        AtomicBoolean signedOut = new AtomicBoolean();
        MainViewModel vm = main(cluster.session(Role.VIEWER), TestCluster.directWork(), signedOut);
        assertThat(vm.screens()).extracting(Screen::title).containsExactly("Fleet", "APIs and upstreams",
                "Flow rules", "Quota rules", "API group tiers", "Overload shedding", "Traffic", "Cache rules", "Seller groups", "Agent clusters", "Assignments",
                "Sync targets", "Sync", "Placement", "Topics", "Subscriptions", "Messages", "Apps", "Releases", "Audit log");
        assertThat(vm.screen("flow-rules").section()).isEqualTo("Traffic rules");
        assertThat(vm.screen("traffic")).isEqualTo(Screen.TRAFFIC);
        assertThat(vm.screen("topics").section()).isEqualTo("Message service");
        assertThat(vm.screen("subscriptions").section()).isEqualTo("Message service");
        assertThat(Screen.TRAFFIC.section()).isEqualTo("Traffic rules");
        assertThat(Screen.TRAFFIC.isConfig()).isFalse();
        assertThat(vm.screen("messages")).isEqualTo(Screen.MESSAGES);
        assertThat(Screen.MESSAGES.section()).isEqualTo("Message service");
        assertThat(Screen.MESSAGES.isConfig()).isFalse();
        assertThat(vm.screen("sync-targets").section()).isEqualTo("Order sync");
        assertThat(vm.screen("sync")).isEqualTo(Screen.SYNC);
        assertThat(Screen.SYNC.isConfig()).isFalse();
        assertThat(vm.screen("placement")).isEqualTo(Screen.PLACEMENT);
        assertThat(Screen.PLACEMENT.section()).isEqualTo("Order sync");
        assertThat(Screen.PLACEMENT.isConfig()).isFalse();

        assertThat(vm.config("quota-rules").visibleItems()).isEmpty();
        vm.show(vm.screen("quota-rules"));
        assertThat(vm.config("quota-rules").visibleItems()).extracting(i -> i.key()).contains("demo-app-trade-daily");
        vm.show(Screen.FLEET);
        assertThat(vm.fleet().agents()).isNotEmpty();
        vm.show(Screen.AUDIT);
        assertThat(vm.audit().events()).isNotEmpty();

        vm.signOut();
        assertThat(signedOut).isTrue();
    }

    @Test
    void whenTheControlPlaneComesBackTheShownScreenReloads() throws Exception {
        try (TcpRelay relay = new TcpRelay(URI.create(cluster.url()).getPort())) {
            Session viaRelay = new Session(new ControlPlaneClient(URI.create(relay.url()), TestCluster.ADMIN_TOKEN,
                    Duration.ofMillis(500), Duration.ofSeconds(2)), cluster.session(Role.ADMIN).operator());
            ConnectionStatus connection = new ConnectionStatus();
            MainViewModel vm = main(viaRelay, BackgroundWork.direct(connection), new AtomicBoolean());
            relay.cut();
            vm.show(vm.screen("apis"));
            assertThat(connection.isLost()).as("lost; the screen says: " + vm.config("apis").messageProperty().get()
                    + "; items: " + vm.config("apis").visibleItems().size()).isTrue();
            assertThat(vm.config("apis").visibleItems()).isEmpty();
            assertThat(vm.config("apis").messageProperty().get()).startsWith("Cannot load apis and upstreams: ");

            relay.restore();
            vm.pollFleet();   // the periodic poll finds the control plane back
            assertThat(connection.isLost()).isFalse();
            assertThat(vm.config("apis").visibleItems()).as("the shown screen reloaded").isNotEmpty();
            assertThat(vm.config("apis").messageProperty().get()).isEmpty();
        }
    }
}
