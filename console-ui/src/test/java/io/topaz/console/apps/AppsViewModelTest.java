package io.topaz.console.apps;

import io.topaz.console.TestCluster;
import io.topaz.console.controlplane.AppRecord;
import io.topaz.console.controlplane.Role;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The Apps screen's logic against a real control plane, without JavaFX on screen. */
class AppsViewModelTest {

    private final TestCluster cluster = TestCluster.get();

    private AppsViewModel admin() {
        return new AppsViewModel(cluster.session(Role.ADMIN), TestCluster.directWork());
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createShowsTheSecretOnceAndTheTableNeverHasIt() {
        AppsViewModel vm = admin();
        String key = unique("vm-app");
        vm.newKeyProperty().set(key);
        vm.newNameProperty().set("View-model app");
        vm.newOwnerProperty().set("isv-vm");
        vm.newGroupsProperty().set("basic, trade");
        vm.create();
        String secret = vm.oneTimeSecretProperty().get();
        assertThat(secret).hasSize(32);
        assertThat(vm.secretForProperty().get()).isEqualTo(key);
        assertThat(vm.newKeyProperty().get()).isEmpty(); // the form is cleared
        assertThat(vm.noticeProperty().get()).isEqualTo("App " + key + " created.");
        assertThat(vm.messageProperty().get()).isEmpty();
        vm.searchProperty().set(key);
        vm.searchNow();
        assertThat(vm.apps()).extracting(AppRecord::appKey).containsExactly(key);
        assertThat(vm.apps().get(0).allowedApiGroups()).containsExactly("basic", "trade");
        assertThat(vm.apps().toString()).doesNotContain(secret);
        vm.secretSeen();
        assertThat(vm.oneTimeSecretProperty().get()).isNull();
    }

    @Test
    void fieldErrorsSitBesideTheirFieldAndNothingIsCreated() {
        AppsViewModel vm = admin();
        vm.newNameProperty().set("");
        vm.newOwnerProperty().set("isv");
        vm.newGroupsProperty().set("ok, not ok");
        vm.create();
        assertThat(vm.fieldErrors()).containsKeys("name", "allowedApiGroups");
        assertThat(vm.oneTimeSecretProperty().get()).isNull();
        assertThat(vm.messageProperty().get()).isNotBlank();
        assertThat(vm.noticeProperty().get()).isEmpty();
    }

    @Test
    void disableEnableRotateAndAStaleVersionIsAConflict() {
        AppsViewModel vm = admin();
        String key = unique("rot-app");
        vm.newKeyProperty().set(key);
        vm.newNameProperty().set("Rotating");
        vm.newOwnerProperty().set("isv");
        vm.create();
        String first = vm.oneTimeSecretProperty().get();
        vm.secretSeen();
        vm.searchProperty().set(key);
        vm.searchNow();
        AppRecord app = vm.apps().get(0);

        vm.disable(app);
        AppRecord disabled = vm.apps().get(0);
        assertThat(disabled.status()).isEqualTo("DISABLED");
        vm.enable(app); // the version read before the disable: refused
        assertThat(vm.messageProperty().get()).startsWith("Someone changed this app meanwhile");
        assertThat(vm.apps().get(0).status()).isEqualTo("DISABLED"); // reloaded, unchanged
        vm.enable(vm.apps().get(0));
        assertThat(vm.apps().get(0).status()).isEqualTo("ACTIVE");

        vm.rotateSecret(vm.apps().get(0), Duration.ofHours(1));
        assertThat(vm.oneTimeSecretProperty().get()).hasSize(32).isNotEqualTo(first);
        vm.secretSeen();
        assertThat(vm.apps().get(0).previousSecretRetireAt()).isNotNull();
        vm.retirePreviousSecret(vm.apps().get(0));
        assertThat(vm.apps().get(0).previousSecretRetireAt()).isNull();
    }

    @Test
    void pagesThroughApps() {
        AppsViewModel vm = admin();
        String prefix = unique("page");
        for (int i = 0; i < AppsViewModel.PAGE_SIZE + 3; i++) {
            vm.newKeyProperty().set(prefix + "-" + i);
            vm.newNameProperty().set("p" + i);
            vm.newOwnerProperty().set("isv-pages");
            vm.create();
            vm.secretSeen();
        }
        vm.searchProperty().set(prefix);
        vm.searchNow();
        assertThat(vm.totalProperty().get()).isEqualTo(AppsViewModel.PAGE_SIZE + 3);
        assertThat(vm.apps()).hasSize(AppsViewModel.PAGE_SIZE);
        vm.nextPage();
        assertThat(vm.apps()).hasSize(3);
        vm.nextPage(); // no further page
        assertThat(vm.pageProperty().get()).isEqualTo(1);
        vm.previousPage();
        assertThat(vm.apps()).hasSize(AppsViewModel.PAGE_SIZE);
    }

    @Test
    void onlyAdminsManageApps() {
        assertThat(new AppsViewModel(cluster.session(Role.VIEWER), TestCluster.directWork()).mayManage()).isFalse();
        assertThat(new AppsViewModel(cluster.session(Role.OPERATOR), TestCluster.directWork()).mayManage()).isFalse();
        assertThat(admin().mayManage()).isTrue();
        AppsViewModel viewer = new AppsViewModel(cluster.session(Role.VIEWER), TestCluster.directWork());
        viewer.refresh();
        assertThat(viewer.messageProperty().get()).isEmpty(); // reading is allowed
        viewer.newNameProperty().set("x");
        viewer.newOwnerProperty().set("y");
        viewer.create(); // the control plane refuses it
        assertThat(viewer.messageProperty().get()).startsWith("Not allowed for your role");
    }
}
