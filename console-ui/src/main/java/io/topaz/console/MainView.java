package io.topaz.console;

import atlantafx.base.theme.Styles;
import io.topaz.console.audit.AuditView;
import io.topaz.console.common.ConnectionStatus;
import io.topaz.console.config.ConfigView;
import io.topaz.console.fleet.FleetView;
import io.topaz.console.releases.ReleasesView;
import io.topaz.console.traffic.TrafficView;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.HashMap;
import java.util.Map;

/**
 * The main window: a header with who is signed in, the connection banner, the navigation on the left and the shown
 * screen. Screens are built once, on first show, and kept, so an editor's unsaved input survives switching screens.
 */
public final class MainView extends BorderPane {

    private final MainViewModel viewModel;
    private final Map<String, Node> built = new HashMap<>();

    public MainView(MainViewModel viewModel) {
        this.viewModel = viewModel;
        setId("mainView");

        Label appTitle = new Label("Topaz console");
        appTitle.getStyleClass().add("app-title");
        Label who = new Label("Signed in as " + viewModel.session().describe());
        who.setId("signedInAs");
        who.getStyleClass().add(Styles.TEXT_MUTED);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Button signOut = new Button("Sign out");
        signOut.setId("signOut");
        signOut.getStyleClass().add(Styles.FLAT);
        signOut.setOnAction(e -> viewModel.signOut());
        HBox header = new HBox(14, appTitle, who, spacer, signOut);
        header.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        header.getStyleClass().add("header");

        setTop(new VBox(header, banner(viewModel.work().connection())));
        setLeft(navigation());
        viewModel.shownProperty().addListener((o, a, s) -> setCenter(s == null ? null
                : built.computeIfAbsent(s.id(), id -> build(s))));
    }

    private Node banner(ConnectionStatus connection) {
        Label text = new Label();
        text.setWrapText(true);
        text.textProperty().bind(connection.messageProperty());
        HBox banner = new HBox(text);
        banner.setId("connectionBanner");
        banner.getStyleClass().add("connection-banner");
        banner.visibleProperty().bind(connection.lostProperty());
        banner.managedProperty().bind(banner.visibleProperty());
        return banner;
    }

    private Node navigation() {
        VBox nav = new VBox();
        nav.setId("navigation");
        nav.getStyleClass().add("navigation");
        ToggleGroup group = new ToggleGroup();
        String section = null;
        for (Screen s : viewModel.screens()) {
            if (!s.section().equals(section)) {
                section = s.section();
                Label heading = new Label(section.toUpperCase());
                heading.getStyleClass().add("nav-section");
                nav.getChildren().add(heading);
            }
            ToggleButton b = new ToggleButton(s.title());
            b.setId("nav-" + s.id());
            b.setToggleGroup(group);
            b.getStyleClass().add(Styles.FLAT);
            b.setOnAction(e -> {
                b.setSelected(true);
                viewModel.show(s);
            });
            viewModel.shownProperty().addListener((o, a, shown) -> b.setSelected(s.equals(shown)));
            nav.getChildren().add(b);
        }
        ScrollPane scroll = new ScrollPane(nav);
        scroll.setFitToHeight(true);
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        return scroll;
    }

    private Node build(Screen s) {
        return switch (s.id()) {
            case "fleet" -> new FleetView(viewModel.fleet());
            case "releases" -> new ReleasesView(viewModel.releases());
            case "audit" -> new AuditView(viewModel.audit());
            case "apps" -> new io.topaz.console.apps.AppsView(viewModel.apps());
            case "traffic" -> new TrafficView(viewModel.traffic());
            case "messages" -> new io.topaz.console.messages.MessagesView(viewModel.messages());
            case "sync" -> new io.topaz.console.sync.SyncView(viewModel.sync());
            case "placement" -> new io.topaz.console.placement.PlacementView(viewModel.placement());
            default -> new ConfigView(viewModel.config(s.id()));
        };
    }
}
