package io.topaz.console;

import atlantafx.base.theme.PrimerLight;
import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.ConnectionStatus;
import io.topaz.console.common.Poller;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.signin.ConsoleSettings;
import io.topaz.console.signin.QuickstartEnv;
import io.topaz.console.signin.SignInView;
import io.topaz.console.signin.SignInViewModel;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.stage.Stage;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Assembles the console in a stage: the sign-in form, then, once signed in, the main window with its periodic
 * refreshes; signing out goes back to the form. Everything the view-models need is created here and passed in; no
 * static service locator. {@link ConsoleApp} uses it, and so do the TestFX tests.
 */
public final class Console implements AutoCloseable {

    /**
     * How often the fleet (and with it the connection) is polled in normal use; the traffic screen, while shown, asks
     * the control plane for its rates as often (the control plane itself polls the agents every 5 s by default).
     */
    public static final Duration FLEET_POLL = Duration.ofSeconds(2);
    static final Duration ROLLOUT_POLL = Duration.ofMillis(500);
    static final double WIDTH = 1280;
    static final double HEIGHT = 800;

    private final ConsoleSettings settings;
    private final Optional<QuickstartEnv> quickstart;
    private final Clock clock;
    private final ZoneId zone;
    private final ExecutorService background;
    private final Duration fleetPoll;
    private Stage stage;
    private Scene scene;
    private Poller poller;
    private MainViewModel main;

    public Console(ConsoleSettings settings, Optional<QuickstartEnv> quickstart, Clock clock, ZoneId zone,
                   Duration fleetPoll) {
        this.settings = settings;
        this.fleetPoll = fleetPoll;
        this.quickstart = quickstart;
        this.clock = clock;
        this.zone = zone;
        AtomicInteger n = new AtomicInteger();
        this.background = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "console-background-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Shows the sign-in form in {@code stage}. Call on the JavaFX thread. */
    public void show(Stage stage) {
        this.stage = stage;
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        stage.setTitle("Topaz console");
        showSignIn();
        stage.show();
    }

    private void showSignIn() {
        BackgroundWork work = new BackgroundWork(background, Platform::runLater, new ConnectionStatus());
        SignInViewModel vm = new SignInViewModel(settings, quickstart, work,
                (url, token) -> new ControlPlaneClient(url, token), this::signedIn);
        setRoot(new SignInView(vm));
    }

    private void signedIn(Session session) {
        BackgroundWork work = new BackgroundWork(background, Platform::runLater, new ConnectionStatus());
        main = new MainViewModel(session, work, clock, zone,
                this::signOut);
        MainView view = new MainView(main);
        setRoot(view);
        poller = new Poller(Platform::runLater);
        MainViewModel current = main;
        poller.every(fleetPoll, current::pollFleet);
        poller.every(fleetPoll, current::pollTraffic);
        poller.every(fleetPoll, current::pollMessages);
        poller.every(fleetPoll, current::pollSync);
        poller.every(fleetPoll, current::pollPlacement);
        poller.every(ROLLOUT_POLL, current::pollRollout);
        main.show(Screen.FLEET);
    }

    private void signOut() {
        if (poller != null) {
            poller.close();
            poller = null;
        }
        main = null;
        showSignIn();
    }

    /** The main window's view-model once signed in, else null (for tests). */
    public MainViewModel main() {
        return main;
    }

    /** One scene of one size for sign-in and main window: resizing a shown stage is what some platforms do worst. */
    private void setRoot(Parent root) {
        if (scene == null) {
            scene = new Scene(root, WIDTH, HEIGHT);
            scene.getStylesheets().add(Objects.requireNonNull(
                    Console.class.getResource("console.css"), "console.css is missing from the jar").toExternalForm());
            stage.setScene(scene);
        } else {
            scene.setRoot(root);
        }
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.close();
        }
        background.shutdownNow();
    }
}
