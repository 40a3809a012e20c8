package io.topaz.console.ui;

import io.topaz.console.Console;
import io.topaz.console.TestCluster;
import io.topaz.console.signin.ConsoleSettings;
import io.topaz.console.signin.QuickstartEnv;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Labeled;
import javafx.scene.control.TextInputControl;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the console's window tests share: the console in a TestFX stage against the shared {@link TestCluster}, waiting
 * for what the UI shows (never sleeping), and saving screenshots to {@code docs/screenshots} (the
 * {@code topaz.screenshots} property set by the build).
 */
abstract class ConsoleFxTest extends FxRobot {

    /** Faster than in normal use, so sparklines fill and the banner clears within a test's patience. */
    static final Duration FLEET_POLL = Duration.ofMillis(400);

    protected final TestCluster cluster = TestCluster.get();
    protected Console console;
    protected Stage stage;

    protected void start(Stage stage, Optional<QuickstartEnv> quickstart) throws IOException {
        this.stage = stage;
        Path settings = Files.createTempDirectory("console-settings").resolve("console.properties");
        console = new Console(new ConsoleSettings(settings), quickstart, Clock.systemUTC(), ZoneId.of("UTC"), FLEET_POLL);
        console.show(stage);
        stage.requestFocus();
    }

    @AfterEach
    void closeConsole() throws TimeoutException {
        if (console != null) {
            console.close();
        }
        FxToolkit.cleanupStages();
    }

    protected void signIn(String url, String token) {
        replaceText("#controlPlaneUrl", url);
        replaceText("#token", token);
        clickOn("#signIn");
        waitUntil("the main window shows", () -> lookup("#mainView").tryQuery().isPresent());
    }

    protected void replaceText(String query, String text) {
        interact(stage::requestFocus);
        clickOn(query);
        push(KeyCode.CONTROL, KeyCode.A);
        push(KeyCode.BACK_SPACE);
        write(text);
        assertThat(this.<TextInputControl>node(query).getText()).isEqualTo(text);
    }

    protected void show(String screenId) {
        // the navigation is built once the signed-in role is known, a moment after the main window shows
        waitUntil("the navigation offers " + screenId, () -> present("#nav-" + screenId));
        scrollIntoView("#nav-" + screenId);
        clickOn("#nav-" + screenId);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Scrolls the scroll pane around a node (the navigation, once it outgrows the window) until the node shows. */
    protected void scrollIntoView(String query) {
        Node target = node(query);
        interact(() -> {
            for (Node n = target.getParent(); n != null; n = n.getParent()) {
                if (n instanceof ScrollPane pane && pane.getContent() != null) {
                    Bounds inContent = pane.getContent().sceneToLocal(target.localToScene(target.getBoundsInLocal()));
                    double scrollable = pane.getContent().getBoundsInLocal().getHeight()
                            - pane.getViewportBounds().getHeight();
                    if (scrollable > 0) {
                        double centred = inContent.getMinY() - pane.getViewportBounds().getHeight() / 2;
                        pane.setVvalue(Math.max(0, Math.min(1, centred / scrollable)));
                    }
                    return;
                }
            }
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @SuppressWarnings("unchecked")
    protected <T extends Node> T node(String query) {
        return (T) lookup(query).query();
    }

    protected boolean present(String query) {
        return lookup(query).tryQuery().isPresent();
    }

    protected String text(String query) {
        Node n = node(query);
        return n instanceof Labeled l ? l.getText() : ((TextInputControl) n).getText();
    }

    protected void waitUntil(String what, Callable<Boolean> condition) {
        try {
            WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> {
                WaitForAsyncUtils.waitForFxEvents();
                return condition.call();
            });
        } catch (TimeoutException e) {
            try {
                save(capture(javafx.stage.Screen.getPrimary().getBounds()).getImage(), Path.of("target", "failure-screenshots"),
                        what.replaceAll("[^A-Za-z0-9]+", "-"));
            } catch (Exception ignored) {
                // the timeout is what matters
            }
            throw new AssertionError("timed out after 20 s waiting until " + what
                    + " (screenshot in target/failure-screenshots)", e);
        }
    }

    /** Saves the whole window as {@code docs/screenshots/<name>.png}. */
    protected void screenshot(String name) throws IOException {
        screenshot(name, stage.getScene().getRoot());
    }

    /** A screenshot of {@code root}, e.g. a dialog's window ({@code someNodeInIt.getScene().getRoot()}). */
    protected void screenshot(String name, Node root) throws IOException {
        Path dir = Path.of(System.getProperty("topaz.screenshots", "target/screenshots"));
        WaitForAsyncUtils.waitForFxEvents();
        save(capture(root).getImage(), dir, name);
        assertThat(dir.resolve(name + ".png")).isNotEmptyFile();
    }

    private static void save(Image image, Path dir, String name) throws IOException {
        int w = (int) image.getWidth();
        int h = (int) image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        PixelReader pixels = image.getPixelReader();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(x, y, pixels.getArgb(x, y));
            }
        }
        Files.createDirectories(dir);
        ImageIO.write(out, "png", dir.resolve(name + ".png").toFile());
    }
}
