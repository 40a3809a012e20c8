package io.topaz.console.ui;

import io.topaz.console.controlplane.AppRecord;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Role;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** An admin on the Apps screen: creates an app, sees its secret once in a dialog, and the table never shows it. */
@ExtendWith(ApplicationExtension.class)
class AdminAppsTest extends ConsoleFxTest {

    @Start
    void start(Stage stage) throws IOException {
        start(stage, Optional.empty());
    }

    @SuppressWarnings("unchecked")
    private TableView<AppRecord> appsTable() {
        return (TableView<AppRecord>) (TableView<?>) node("#appsTable");
    }

    @Test
    void anAdminCreatesAnAppAndSeesItsSecretOnce() throws Exception {
        new ControlPlaneClient(URI.create(cluster.url()), cluster.token(Role.ADMIN)).createApp(Map.of(
                "appKey", "seed-" + UUID.randomUUID().toString().substring(0, 8), "name", "Seeded app",
                "owner", "isv-seed", "allowedApiGroups", List.of("basic")));
        signIn(cluster.url(), cluster.token(Role.ADMIN));
        show("apps");
        waitUntil("the apps screen shows", () -> present("#appsScreen"));
        String key = "ui-" + UUID.randomUUID().toString().substring(0, 8);
        replaceText("#newAppKey", key);
        replaceText("#newAppName", "Console-made app");
        replaceText("#newAppOwner", "isv-console");
        replaceText("#newAppGroups", "basic, trade");
        clickOn("#appCreate");
        waitUntil("the one-time secret is shown", () -> present("#oneTimeSecret"));
        String secret = this.<TextField>node("#oneTimeSecret").getText();
        assertThat(secret).hasSize(32);
        screenshot("apps-secret-once", this.<TextField>node("#oneTimeSecret").getScene().getRoot());
        interact(() -> Window.getWindows().stream().filter(w -> w != stage && w.isShowing()).toList()
                .forEach(Window::hide));
        waitUntil("the secret dialog is gone", () -> !present("#oneTimeSecret"));
        replaceText("#appsSearch", key);
        clickOn("#appsSearchButton");
        waitUntil("the new app is listed", () -> appsTable().getItems().stream().anyMatch(a -> a.appKey().equals(key)));
        assertThat(appsTable().getItems().toString()).doesNotContain(secret);
        replaceText("#appsSearch", "");
        clickOn("#appsSearchButton");
        waitUntil("the apps are listed", () -> appsTable().getItems().size() > 1);
        screenshot("apps");
    }
}
