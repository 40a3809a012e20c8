package io.topaz.console.signin;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.ControlPlaneException;
import io.topaz.console.controlplane.Role;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The sign-in form: checks the URL and token locally, then asks the control plane whose token it is. On success the
 * URL is remembered (never the token) and the session handed on.
 *
 * <p>Prefill: the quickstart's URL and token when {@code .topaz/quickstart.env} exists, otherwise the remembered URL,
 * otherwise {@code http://127.0.0.1:9080}.
 */
public final class SignInViewModel {

    static final String DEFAULT_URL = "http://127.0.0.1:9080";

    private final StringProperty controlPlaneUrl = new SimpleStringProperty("");
    private final StringProperty token = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper urlError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper tokenError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper hint = new ReadOnlyStringWrapper("");
    private final BooleanProperty busy = new SimpleBooleanProperty(false);
    private final ConsoleSettings settings;
    private final BackgroundWork work;
    private final BiFunction<URI, String, ControlPlaneClient> clients;
    private final Consumer<Session> onSignedIn;

    public SignInViewModel(ConsoleSettings settings, Optional<QuickstartEnv> quickstart, BackgroundWork work,
                           BiFunction<URI, String, ControlPlaneClient> clients, Consumer<Session> onSignedIn) {
        this.settings = settings;
        this.work = work;
        this.clients = clients;
        this.onSignedIn = onSignedIn;
        if (quickstart.isPresent()) {
            controlPlaneUrl.set(quickstart.get().controlPlaneUrl());
            token.set(quickstart.get().token());
            hint.set("URL and token prefilled from the quickstart's settings (quickstart.env)");
        } else {
            controlPlaneUrl.set(settings.controlPlaneUrl().orElse(DEFAULT_URL));
        }
        controlPlaneUrl.addListener((o, a, b) -> urlError.set(""));
        token.addListener((o, a, b) -> tokenError.set(""));
    }

    public StringProperty controlPlaneUrlProperty() {
        return controlPlaneUrl;
    }

    public StringProperty tokenProperty() {
        return token;
    }

    public ReadOnlyStringProperty urlErrorProperty() {
        return urlError.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty tokenErrorProperty() {
        return tokenError.getReadOnlyProperty();
    }

    /** Why the last sign-in failed, as a sentence. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty hintProperty() {
        return hint.getReadOnlyProperty();
    }

    public BooleanProperty busyProperty() {
        return busy;
    }

    public BooleanBinding canSignIn() {
        return Bindings.createBooleanBinding(() -> !busy.get() && !controlPlaneUrl.get().isBlank()
                && !token.get().isBlank(), busy, controlPlaneUrl, token);
    }

    public void signIn() {
        message.set("");
        String url = controlPlaneUrl.get() == null ? "" : controlPlaneUrl.get().strip();
        String secret = token.get() == null ? "" : token.get().strip();
        Optional<URI> uri = parseUrl(url);
        if (uri.isEmpty()) {
            urlError.set("must be an http:// or https:// URL with a host, such as " + DEFAULT_URL);
        }
        if (secret.isEmpty()) {
            tokenError.set("is required: an operator token (tpz_…) from your admin or the quickstart");
        }
        if (uri.isEmpty() || secret.isEmpty() || busy.get()) {
            return;
        }
        busy.set(true);
        ControlPlaneClient client = clients.apply(uri.get(), secret);
        work.run(() -> {
            var me = client.me();
            if (me.role() == null || !me.role().isOperatorRole()) {
                String whose = me.role() == Role.AGENT ? " (for agents)"
                        : me.role() == Role.PUBLISHER ? " (for platform services that publish messages)" : "";
                throw new ControlPlaneException(ControlPlaneException.Problem.FAILED, 200, "This token's role is "
                        + me.role() + whose + ": sign in with an operator token (VIEWER, OPERATOR or ADMIN).", List.of());
            }
            settings.rememberControlPlaneUrl(url);
            return new Session(client, me);
        }, session -> {
            busy.set(false);
            onSignedIn.accept(session);
        }, e -> {
            busy.set(false);
            message.set(describe(e, url));
        });
    }

    private static String describe(ControlPlaneException e, String url) {
        return switch (e.problem()) {
            case UNAUTHORIZED -> "The control plane at " + url + " does not know this token (or it was revoked). "
                    + "Check the token, or ask an admin for a new one.";
            case UNREACHABLE -> "Cannot reach a control plane at " + url + ": " + e.getMessage()
                    + ". Is it running? (scripts/quickstart.sh starts one.)";
            case NOT_FOUND -> "No Topaz control plane answers at " + url + " (no /api/v1/me there).";
            default -> e.operatorMessage();
        };
    }

    static Optional<URI> parseUrl(String url) {
        try {
            URI uri = new URI(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return Optional.of(uri);
            }
        } catch (Exception ignored) {
            // falls through to empty: the caller explains what a URL must look like
        }
        return Optional.empty();
    }
}
