package io.topaz.console;

import javafx.application.Application;

/**
 * The entry point. A separate class from {@link ConsoleApp} because the JDK's launcher refuses a main class that
 * extends {@code Application} when JavaFX is on the class path rather than the module path.
 */
public final class ConsoleMain {

    private ConsoleMain() {
    }

    public static void main(String[] args) {
        Application.launch(ConsoleApp.class, args);
    }
}
