package io.topaz.console.config;

import io.topaz.console.TestCluster;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.DraftItem;
import io.topaz.console.controlplane.Operator;
import io.topaz.console.controlplane.Role;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The editor against the real control plane: its own errors land beside the fields they name. */
class EntryEditorViewModelTest {

    private final TestCluster cluster = TestCluster.get();
    private final Session operator = cluster.session(Role.OPERATOR);
    private final AtomicReference<DraftItem> saved = new AtomicReference<>();

    private EntryEditorViewModel editor(KindForm form, DraftItem item, Session session) {
        return new EntryEditorViewModel(form, item, session, TestCluster.directWork(), saved::set);
    }

    private DraftItem item(String kind, String key) {
        return operator.client().list(kind).stream().filter(i -> i.key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void showsTheControlPlanesErrorBesideTheFieldAndSavesOnceFixed() {
        EntryEditorViewModel vm = editor(KindForm.FLOW_RULES, null, operator);
        assertThat(vm.title()).isEqualTo("New flow rule");
        assertThat(vm.isDirty()).as("nothing typed yet").isFalse();
        assertThat(vm.input("scope").textProperty().get()).as("a choice starts on its first value").isEqualTo("API");
        vm.input("id").textProperty().set("editor-test-qps");
        vm.input("method").textProperty().set("taobao.time.get");
        vm.input("qps").textProperty().set("0");
        assertThat(vm.isDirty()).isTrue();
        vm.save();

        assertThat(saved.get()).isNull();
        assertThat(vm.input("qps").errorProperty().get()).isEqualTo("qps must be between 1 and 10000000, was 0");
        assertThat(vm.input("id").errorProperty().get()).isEmpty();
        assertThat(vm.messageProperty().get()).isEqualTo(
                "The control plane refused this flow rule: see the fields marked in red.");
        assertThat(vm.hasFieldErrors()).isTrue();

        vm.input("qps").textProperty().set("250");
        assertThat(vm.input("qps").errorProperty().get()).as("editing clears the field's error").isEmpty();
        vm.save();
        assertThat(saved.get().key()).isEqualTo("editor-test-qps");
        assertThat(saved.get().version()).isEqualTo(1);
        assertThat(saved.get().value()).containsEntry("qps", 250).containsEntry("mode", "SINGLE_NODE");
    }

    @Test
    void crossFieldRulesMarkEachFieldTheyName() {
        EntryEditorViewModel vm = editor(KindForm.FLOW_RULES, null, operator);
        vm.input("id").textProperty().set("editor-test-scope");
        vm.input("scope").textProperty().set("APP");
        vm.input("method").textProperty().set("taobao.time.get");
        vm.input("qps").textProperty().set("5");
        vm.save();
        assertThat(vm.input("method").errorProperty().get()).isEqualTo("method must be empty for scope APP, was taobao.time.get");
        assertThat(vm.input("appKey").errorProperty().get()).isEqualTo("appKey is required");
        assertThat(saved.get()).isNull();
    }

    @Test
    void upstreamErrorsLandOnTheirRowAndTextInANumberFieldIsNeverSent() {
        EntryEditorViewModel vm = editor(KindForm.APIS, null, operator);
        assertThat(vm.upstreams()).as("a new API starts with one upstream row").hasSize(1);
        vm.input("method").textProperty().set("taobao.editor.add");
        vm.input("apiGroup").textProperty().set("editor");
        vm.upstreams().get(0).urlProperty().set("http://10.1.0.1:8080");
        vm.addUpstream();
        EntryEditorViewModel untouched = editor(KindForm.APIS, null, operator);
        untouched.upstreams().get(0).urlProperty().set("http://typed");
        assertThat(untouched.isDirty()).as("typing in an upstream row is an edit").isTrue();
        vm.upstreams().get(1).urlProperty().set("ftp://10.1.0.2");
        vm.upstreams().get(1).weightProperty().set("20000");
        vm.input("timeoutMillis").textProperty().set("3s");
        vm.save();
        assertThat(vm.input("timeoutMillis").errorProperty().get()).isEqualTo("timeoutMillis must be a whole number, was 3s");
        assertThat(vm.messageProperty().get()).isEqualTo("Fix the fields marked in red, then save again.");
        assertThat(vm.upstreams().get(1).urlErrorProperty().get()).as("nothing was sent").isEmpty();

        vm.input("timeoutMillis").textProperty().set("1500");
        vm.save();
        assertThat(vm.upstreams().get(0).urlErrorProperty().get()).isEmpty();
        assertThat(vm.upstreams().get(1).urlErrorProperty().get())
                .isEqualTo("upstreams[1].url must be an http:// or https:// URL with a host, was ftp://10.1.0.2");
        assertThat(vm.upstreams().get(1).weightErrorProperty().get())
                .isEqualTo("upstreams[1].weight must be between 0 and 10000, was 20000");

        vm.upstreams().get(1).urlProperty().set("http://10.1.0.2:8080");
        vm.upstreams().get(1).weightProperty().set("50");
        vm.input("requiredParameters").textProperty().set("tid,  fields");
        vm.input("sessionRequired").flagProperty().set(true);
        vm.save();
        assertThat(saved.get().value()).containsEntry("timeoutMillis", 1500).containsEntry("sessionRequired", true)
                .containsEntry("requiredParameters", List.of("tid", "fields"));
        assertThat((List<?>) saved.get().value().get("upstreams")).hasSize(2);
    }

    @Test
    void editsAnEntryAtTheVersionItReadAndRefusesToOverwriteAConcurrentChange() {
        operator.client().create("agent-clusters", Map.of("name", "editor-cluster", "zones", List.of("zone-e")));
        DraftItem read = item("agent-clusters", "editor-cluster");
        EntryEditorViewModel mine = editor(KindForm.AGENT_CLUSTERS, read, operator);
        EntryEditorViewModel theirs = editor(KindForm.AGENT_CLUSTERS, read, operator);
        assertThat(mine.title()).isEqualTo("Agent cluster 'editor-cluster' · version 1");
        assertThat(mine.input("name").isEditable()).as("the key is fixed once created").isFalse();
        assertThat(mine.input("zones").textProperty().get()).isEqualTo("zone-e");
        assertThat(mine.isDirty()).as("loading an entry is not an edit").isFalse();

        theirs.input("description").textProperty().set("theirs");
        theirs.save();
        assertThat(saved.get().version()).isEqualTo(2);

        saved.set(null);
        mine.input("description").textProperty().set("mine");
        mine.save();
        assertThat(saved.get()).isNull();
        assertThat(mine.messageProperty().get()).contains("is at version 2, not 1")
                .endsWith("Close this editor and open the entry again to see the current version.");
        assertThat(item("agent-clusters", "editor-cluster").value()).containsEntry("description", "theirs");
    }

    @Test
    void aRoleThatLostItsRightsSinceSignInGetsTheForbiddenMessageNotAStackTrace() {
        // Signed in as an operator, but the token is a viewer's now (an admin changed it).
        ControlPlaneClient viewerToken = cluster.client(cluster.token(Role.VIEWER));
        Session stale = new Session(viewerToken, new Operator("was-operator", Role.OPERATOR));
        EntryEditorViewModel vm = editor(KindForm.AGENT_CLUSTERS, null, stale);
        vm.input("name").textProperty().set("editor-forbidden");
        vm.input("zones").textProperty().set("z");
        vm.save();
        assertThat(vm.messageProperty().get())
                .isEqualTo("Not allowed for your role: your token's role may not POST /api/v1/agent-clusters");
        assertThat(vm.busyProperty().get()).isFalse();
    }

    @Test
    void aViewerGetsReadOnlyFieldsAndSaveDoesNothing() {
        Session viewer = cluster.session(Role.VIEWER);
        DraftItem before = item("flow-rules", "time-get-qps");
        EntryEditorViewModel vm = editor(KindForm.FLOW_RULES, before, viewer);
        assertThat(vm.isEditable()).isFalse();
        assertThat(vm.inputs()).noneMatch(FieldInput::isEditable);
        vm.input("qps").textProperty().set("1");
        vm.save();
        assertThat(saved.get()).isNull();
        assertThat(item("flow-rules", "time-get-qps").version()).isEqualTo(before.version());
    }

    @Test
    void keepsFieldsTheFormDoesNotKnow() {
        DraftItem fromNewerControlPlane = new DraftItem("agent-clusters", "c", 3,
                Map.of("name", "c", "zones", List.of("z"), "description", "", "capacityHint", 12), "someone", 0);
        EntryEditorViewModel vm = editor(KindForm.AGENT_CLUSTERS, fromNewerControlPlane, operator);
        vm.input("zones").textProperty().set("z2");
        assertThat(vm.body()).containsEntry("capacityHint", 12).containsEntry("zones", List.of("z2")).doesNotContainKey("description");
    }
}
