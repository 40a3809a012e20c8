/**
 * The operators' console, a JavaFX desktop application over the control plane's REST API. {@link
 * io.topaz.console.ConsoleMain} starts it; {@link io.topaz.console.Console} assembles the sign-in and main windows;
 * {@link io.topaz.console.MainViewModel} holds the screens' view-models. Each feature package (signin, fleet, config,
 * releases, audit) has a view-model, tested without JavaFX running, and a view that only binds to it (JabRef's rules:
 * View → ViewModel → model).
 */
package io.topaz.console;
