package io.topaz.console.signin;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/** The sign-in form: control plane URL, token, and why the last attempt failed. */
public final class SignInView extends StackPane {

    public SignInView(SignInViewModel viewModel) {
        Label title = new Label("Topaz console");
        title.getStyleClass().add(Styles.TITLE_2);
        Label subtitle = new Label("Sign in to a control plane with your operator token.");
        subtitle.getStyleClass().add(Styles.TEXT_MUTED);

        TextField url = new TextField();
        url.setId("controlPlaneUrl");
        url.setPromptText("http://127.0.0.1:9080");
        url.textProperty().bindBidirectional(viewModel.controlPlaneUrlProperty());
        PasswordField token = new PasswordField();
        token.setId("token");
        token.setPromptText("tpz_…");
        token.textProperty().bindBidirectional(viewModel.tokenProperty());

        Button signIn = new Button("Sign in");
        signIn.setId("signIn");
        signIn.setDefaultButton(true);
        signIn.getStyleClass().add(Styles.ACCENT);
        signIn.disableProperty().bind(viewModel.canSignIn().not());
        signIn.setOnAction(e -> viewModel.signIn());
        ProgressIndicator spinner = new ProgressIndicator();
        spinner.setPrefSize(20, 20);
        spinner.visibleProperty().bind(viewModel.busyProperty());

        VBox form = new VBox(6,
                title, subtitle,
                new Label("Control plane URL"), url, Messages.error("urlError", viewModel.urlErrorProperty()),
                new Label("Token"), token, Messages.error("tokenError", viewModel.tokenErrorProperty()),
                Messages.status("signInHint", viewModel.hintProperty()),
                new HBox(10, signIn, spinner),
                Messages.error("signInMessage", viewModel.messageProperty()));
        form.setMaxWidth(460);
        form.setPadding(new Insets(28));
        form.getStyleClass().add("sign-in");
        form.setStyle("-fx-background-color: -color-bg-subtle; -fx-background-radius: 8;");
        form.setMaxHeight(VBox.USE_PREF_SIZE);
        setAlignment(Pos.CENTER);
        setPadding(new Insets(20));
        getChildren().add(form);
    }
}
