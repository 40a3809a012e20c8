package io.topaz.console.signin;

import io.topaz.console.TestCluster;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class SignInViewModelTest {

    @TempDir
    Path dir;

    private final TestCluster cluster = TestCluster.get();
    private final AtomicReference<Session> signedIn = new AtomicReference<>();

    private SignInViewModel viewModel(ConsoleSettings settings, Optional<QuickstartEnv> quickstart) {
        return new SignInViewModel(settings, quickstart, TestCluster.directWork(),
                (url, token) -> new ControlPlaneClient(url, token, Duration.ofSeconds(1), Duration.ofSeconds(3)),
                signedIn::set);
    }

    @Test
    void prefillsFromTheQuickstartThenTheRememberedUrlThenTheDefault() {
        ConsoleSettings settings = new ConsoleSettings(dir.resolve("console.properties"));
        SignInViewModel fresh = viewModel(settings, Optional.empty());
        assertThat(fresh.controlPlaneUrlProperty().get()).isEqualTo("http://127.0.0.1:9080");
        assertThat(fresh.tokenProperty().get()).isEmpty();
        assertThat(fresh.canSignIn().get()).isFalse();

        settings.rememberControlPlaneUrl("http://cp.example:9080");
        assertThat(viewModel(settings, Optional.empty()).controlPlaneUrlProperty().get()).isEqualTo("http://cp.example:9080");

        SignInViewModel quick = viewModel(settings, Optional.of(new QuickstartEnv("http://127.0.0.1:9999", "tpz_quick")));
        assertThat(quick.controlPlaneUrlProperty().get()).isEqualTo("http://127.0.0.1:9999");
        assertThat(quick.tokenProperty().get()).isEqualTo("tpz_quick");
        assertThat(quick.hintProperty().get()).contains("quickstart.env");
        assertThat(quick.canSignIn().get()).isTrue();
    }

    @Test
    void signsInAndRemembersTheUrlButNeverTheToken() throws Exception {
        ConsoleSettings settings = new ConsoleSettings(dir.resolve("home/.topaz/console.properties"));
        SignInViewModel vm = viewModel(settings, Optional.empty());
        String token = cluster.token(Role.OPERATOR);
        vm.controlPlaneUrlProperty().set(cluster.url());
        vm.tokenProperty().set(token);
        vm.signIn();

        assertThat(signedIn.get()).isNotNull();
        assertThat(signedIn.get().operator().role()).isEqualTo(Role.OPERATOR);
        assertThat(signedIn.get().mayEdit("flow-rules")).isTrue();
        assertThat(signedIn.get().mayEdit("apps")).isFalse();
        assertThat(vm.messageProperty().get()).isEmpty();
        assertThat(vm.busyProperty().get()).isFalse();
        assertThat(settings.controlPlaneUrl()).contains(cluster.url());
        assertThat(Files.readString(settings.file())).doesNotContain(token).doesNotContain("tpz_");
    }

    @Test
    void refusesTokensThatAreNotAnOperators() {
        for (Role role : new Role[] {Role.AGENT, Role.PUBLISHER}) {
            SignInViewModel vm = viewModel(new ConsoleSettings(dir.resolve(role + ".properties")), Optional.empty());
            vm.controlPlaneUrlProperty().set(cluster.url());
            vm.tokenProperty().set(cluster.token(role));
            vm.signIn();
            assertThat(signedIn.get()).as(role.name()).isNull();
            assertThat(vm.messageProperty().get()).startsWith("This token's role is " + role)
                    .endsWith("sign in with an operator token (VIEWER, OPERATOR or ADMIN).");
            assertThat(vm.busyProperty().get()).isFalse();
        }
        assertThat(Role.AGENT.includes(Role.VIEWER)).isFalse();
        assertThat(Role.ADMIN.includes(Role.PUBLISHER)).isFalse();
        assertThat(Role.ADMIN.includes(Role.VIEWER)).isTrue();
    }

    @Test
    void checksTheFormBeforeCallingAnything() {
        SignInViewModel vm = viewModel(new ConsoleSettings(dir.resolve("s.properties")), Optional.empty());
        vm.controlPlaneUrlProperty().set("ftp://nowhere");
        vm.tokenProperty().set("   ");
        vm.signIn();
        assertThat(vm.urlErrorProperty().get()).startsWith("must be an http:// or https:// URL");
        assertThat(vm.tokenErrorProperty().get()).startsWith("is required");
        assertThat(signedIn.get()).isNull();

        vm.controlPlaneUrlProperty().set(cluster.url());
        assertThat(vm.urlErrorProperty().get()).as("editing the field clears its error").isEmpty();
    }

    @Test
    void explainsAnUnknownTokenAndAControlPlaneThatIsNotThere() throws Exception {
        SignInViewModel vm = viewModel(new ConsoleSettings(dir.resolve("s.properties")), Optional.empty());
        vm.controlPlaneUrlProperty().set(cluster.url());
        vm.tokenProperty().set("tpz_this-token-was-never-issued-000000");
        vm.signIn();
        assertThat(vm.messageProperty().get()).contains("does not know this token");
        assertThat(signedIn.get()).isNull();

        String closed = "http://127.0.0.1:" + TestCluster.freePort();
        vm.controlPlaneUrlProperty().set(closed);
        vm.signIn();
        assertThat(vm.messageProperty().get()).startsWith("Cannot reach a control plane at " + closed)
                .doesNotContain("Exception:").doesNotContain("\tat ");
        assertThat(vm.busyProperty().get()).isFalse();
    }
}
