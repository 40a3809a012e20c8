package io.topaz.console.ui;

import io.topaz.console.controlplane.Role;
import io.topaz.console.signin.QuickstartEnv;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A viewer, signed in with the quickstart's prefilled URL and token, finds no edit control on any screen. */
@ExtendWith(ApplicationExtension.class)
class ViewerConsoleTest extends ConsoleFxTest {

    private static final List<String> EDIT_CONTROLS = List.of("#newEntry", "#deleteEntry", "#save", "#addUpstream",
            "#publish", "#publishMessage", "#rollback", "#appCreate", "#appDisable", "#appEnable",
            "#appRotate", "#newAppKey", "#replayDeadLetters", "#purgeDeadLetters");

    private final String viewerToken = cluster.token(Role.VIEWER);

    @Start
    void start(Stage stage) throws IOException {
        start(stage, Optional.of(new QuickstartEnv(cluster.url(), viewerToken)));
    }

    private void assertNoEditControls(String screen) {
        for (String control : EDIT_CONTROLS) {
            assertThat(present(control)).as(control + " on " + screen).isFalse();
        }
    }

    @Test
    void aViewerSeesEverythingAndCanChangeNothing() {
        assertThat(text("#controlPlaneUrl")).isEqualTo(cluster.url());
        assertThat(text("#signInHint")).contains("quickstart.env");
        clickOn("#signIn");
        waitUntil("the main window shows", () -> present("#mainView"));
        assertThat(text("#signedInAs")).contains("(VIEWER)");
        assertNoEditControls("fleet");

        for (String kind : List.of("apis", "flow-rules", "quota-rules", "cache-rules", "seller-groups",
                "agent-clusters", "assignments", "sync-targets", "topics", "subscriptions")) {
            show(kind);
            waitUntil(kind + " shows", () -> present("#config-" + kind));
            assertNoEditControls(kind);
        }

        show("messages");
        waitUntil("messages shows", () -> present("#messagesScreen"));
        assertNoEditControls("messages");

        show("sync");
        waitUntil("sync shows", () -> present("#syncScreen"));
        assertNoEditControls("sync");
        assertThat(present("#reconcileGroup")).as("a full reconciliation is for admins").isFalse();

        show("apis");
        waitUntil("the APIs are listed", () -> lookup("taobao.trade.get").tryQuery().isPresent());
        clickOn("taobao.trade.get");
        waitUntil("the entry opens", () -> present("#editor"));
        assertNoEditControls("an open API");
        assertThat(this.<TextField>node("#field-apiGroup").isEditable()).isFalse();
        assertThat(this.<TextField>node("#upstream-url-1").getText()).isEqualTo("http://10.0.0.2:8080");
        assertThat(this.<TextField>node("#upstream-url-1").isEditable()).isFalse();
        assertThat(lookup("Read-only: your role may not edit apis and upstreams").tryQuery()).isPresent();

        show("flow-rules");
        waitUntil("the flow rules are listed", () -> lookup("time-get-qps").tryQuery().isPresent());
        clickOn("time-get-qps");
        waitUntil("the rule opens", () -> present("#editor"));
        assertThat(this.<ComboBox<?>>node("#field-scope").isDisabled()).isTrue();
        assertNoEditControls("an open flow rule");

        show("apps");
        waitUntil("the apps screen shows", () -> present("#appsScreen"));
        assertNoEditControls("apps");

        show("releases");
        waitUntil("the history is listed", () -> present("#history"));
        assertNoEditControls("releases");
        show("audit");
        waitUntil("the audit log shows", () -> present("#auditTable"));
        assertNoEditControls("audit");
    }
}
