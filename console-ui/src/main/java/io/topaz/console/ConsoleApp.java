package io.topaz.console;

import io.topaz.console.signin.ConsoleSettings;
import io.topaz.console.signin.QuickstartEnv;
import javafx.application.Application;
import javafx.stage.Stage;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;

/**
 * The JavaFX application. {@code --quickstart-env=PATH} names the quickstart's settings file (default
 * {@code .topaz/quickstart.env} in the working directory), whose URL and token prefill the sign-in form.
 */
public final class ConsoleApp extends Application {

    private Console console;

    @Override
    public void start(Stage stage) {
        Path env = quickstartEnv(getParameters().getRaw());
        console = new Console(ConsoleSettings.forCurrentUser(), QuickstartEnv.read(env), Clock.systemUTC(),
                ZoneId.systemDefault(), Console.FLEET_POLL);
        console.show(stage);
    }

    static Path quickstartEnv(List<String> args) {
        for (String a : args) {
            if (a.startsWith("--quickstart-env=")) {
                return Path.of(a.substring("--quickstart-env=".length()));
            }
        }
        return Path.of(".topaz", "quickstart.env");
    }

    @Override
    public void stop() {
        if (console != null) {
            console.close();
        }
    }
}
