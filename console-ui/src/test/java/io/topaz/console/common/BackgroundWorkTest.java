package io.topaz.console.common;

import io.topaz.console.TcpRelay;
import io.topaz.console.TestCluster;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.ControlPlaneException;
import io.topaz.console.controlplane.Fleet;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class BackgroundWorkTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void aLostControlPlaneRaisesTheBannerAndTheFirstAnswerClearsItAndReloads() throws Exception {
        try (TcpRelay relay = new TcpRelay(URI.create(cluster.url()).getPort())) {
            ControlPlaneClient client = new ControlPlaneClient(URI.create(relay.url()), TestCluster.ADMIN_TOKEN,
                    Duration.ofMillis(500), Duration.ofSeconds(2));
            ConnectionStatus status = new ConnectionStatus();
            List<String> reloads = new ArrayList<>();
            status.addRecoveryListener(() -> reloads.add("reload"));
            BackgroundWork work = BackgroundWork.direct(status);
            List<String> failures = new ArrayList<>();

            work.run(client::fleet, f -> { }, e -> failures.add(e.getMessage()));
            assertThat(status.isLost()).isFalse();

            relay.cut();
            work.run(client::fleet, f -> { }, e -> failures.add(e.problem().name()));
            assertThat(status.isLost()).isTrue();
            assertThat(status.messageProperty().get()).startsWith("Lost the control plane: cannot reach the control plane at "
                    + relay.url()).contains("Retrying every few seconds");
            assertThat(failures).containsExactly("UNREACHABLE");
            assertThat(reloads).isEmpty();

            relay.restore();
            work.run(client::fleet, f -> { }, e -> failures.add(e.problem().name()));
            assertThat(status.isLost()).isFalse();
            assertThat(status.messageProperty().get()).isEmpty();
            assertThat(reloads).containsExactly("reload");
        }
    }

    @Test
    void aRefusalIsAnAnswerAndAnUnexpectedFailureBecomesAMessageWithoutAStackTrace() {
        ConnectionStatus status = new ConnectionStatus();
        BackgroundWork work = BackgroundWork.direct(status);
        AtomicReference<ControlPlaneException> failure = new AtomicReference<>();
        work.run(() -> cluster.client("tpz_unknown-token-for-this-test-0000").fleet(), f -> { }, failure::set);
        assertThat(failure.get().problem()).isEqualTo(ControlPlaneException.Problem.UNAUTHORIZED);
        assertThat(status.isLost()).isFalse();

        work.run(() -> {
            throw new IllegalStateException("boom");
        }, f -> { }, failure::set);
        assertThat(failure.get().problem()).isEqualTo(ControlPlaneException.Problem.FAILED);
        assertThat(failure.get().operatorMessage()).isEqualTo(
                "unexpected error in the console: java.lang.IllegalStateException: boom (details in the console's log)");
    }

    @Test
    void runsTheCallOffTheCallingThreadAndTheOutcomeOnTheUiExecutor() throws Exception {
        ExecutorService background = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-background"));
        ExecutorService ui = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-ui"));
        try {
            BackgroundWork work = new BackgroundWork(background, ui, new ConnectionStatus());
            AtomicReference<String> callThread = new AtomicReference<>();
            AtomicReference<String> outcomeThread = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            work.run(() -> {
                callThread.set(Thread.currentThread().getName());
                return cluster.client(TestCluster.ADMIN_TOKEN).fleet();
            }, (Fleet f) -> {
                outcomeThread.set(Thread.currentThread().getName());
                done.countDown();
            }, e -> done.countDown());
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(callThread.get()).isEqualTo("test-background");
            assertThat(outcomeThread.get()).isEqualTo("test-ui");
        } finally {
            background.shutdownNow();
            ui.shutdownNow();
        }
    }

    @Test
    void workAskedForOnceTheConsoleIsClosingIsDroppedNotThrownOnTheUiThread() {
        ExecutorService background = Executors.newSingleThreadExecutor();
        background.shutdown(); // the console closed; a screen's periodic refresh still asks
        BackgroundWork work = new BackgroundWork(background, Runnable::run, new ConnectionStatus());
        List<String> outcomes = new ArrayList<>();

        work.run(() -> "answer", outcomes::add, e -> outcomes.add(e.getMessage()));
        work.runInBackground(() -> outcomes.add("ran"));

        assertThat(outcomes).as("nothing ran and nothing was thrown").isEmpty();
    }
}
