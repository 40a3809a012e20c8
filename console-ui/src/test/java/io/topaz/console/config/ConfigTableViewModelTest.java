package io.topaz.console.config;

import io.topaz.console.TestCluster;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.DraftItem;
import io.topaz.console.controlplane.Role;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigTableViewModelTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void listsTheDraftAndFiltersOnAnyShownColumn() {
        ConfigTableViewModel vm = new ConfigTableViewModel(KindForm.APIS, cluster.session(Role.VIEWER),
                TestCluster.directWork());
        vm.refresh();
        assertThat(vm.visibleItems()).extracting(DraftItem::key).contains("taobao.time.get", "taobao.trade.get");
        DraftItem trade = vm.visibleItems().stream().filter(i -> i.key().equals("taobao.trade.get")).findFirst().orElseThrow();
        assertThat(vm.cellText(trade, "upstreams")).isEqualTo("http://10.0.0.1:8080 ×100, http://10.0.0.2:8080 ×50");
        assertThat(vm.cellText(trade, "sessionRequired")).isEqualTo("yes");

        vm.searchProperty().set("10.0.0.2");   // an upstream, not the key
        assertThat(vm.visibleItems()).extracting(DraftItem::key).containsExactly("taobao.trade.get");
        assertThat(vm.statusProperty().get()).startsWith("1 of ").endsWith(" APIs match '10.0.0.2'");
        vm.searchProperty().set("TIME.GET");
        assertThat(vm.visibleItems()).extracting(DraftItem::key).containsExactly("taobao.time.get");
        vm.searchProperty().set("");
        assertThat(vm.visibleItems()).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aViewerCanOpenAnEntryButNotCreateOrDelete() {
        Session viewer = cluster.session(Role.VIEWER);
        ConfigTableViewModel vm = new ConfigTableViewModel(KindForm.FLOW_RULES, viewer, TestCluster.directWork());
        vm.refresh();
        assertThat(vm.isEditable()).isFalse();
        vm.newEntry();
        assertThat(vm.editorProperty().get()).isNull();
        DraftItem rule = vm.visibleItems().stream().filter(i -> i.key().equals("time-get-qps")).findFirst().orElseThrow();
        vm.open(rule);
        assertThat(vm.editorProperty().get().isEditable()).isFalse();
        vm.delete(rule);
        vm.refresh();
        assertThat(vm.visibleItems()).extracting(DraftItem::key).contains("time-get-qps");
    }

    @Test
    void createsThroughTheEditorAndDeletesAtTheVersionShown() {
        ConfigTableViewModel vm = new ConfigTableViewModel(KindForm.SELLER_GROUPS, cluster.session(Role.OPERATOR),
                TestCluster.directWork());
        vm.refresh();
        vm.newEntry();
        EntryEditorViewModel editor = vm.editorProperty().get();
        editor.input("name").textProperty().set("table-test-group");
        editor.input("bucketFrom").textProperty().set("1000");
        editor.input("bucketTo").textProperty().set("1010");
        editor.save();
        assertThat(vm.editorProperty().get()).as("a saved editor closes").isNull();
        assertThat(vm.noticeProperty().get()).startsWith("Saved seller group 'table-test-group' (version 1)");
        DraftItem created = vm.visibleItems().stream().filter(i -> i.key().equals("table-test-group")).findFirst().orElseThrow();

        vm.open(created);
        vm.delete(created);
        assertThat(vm.editorProperty().get()).as("the deleted entry's editor closes").isNull();
        assertThat(vm.visibleItems()).extracting(DraftItem::key).doesNotContain("table-test-group");
        assertThat(vm.noticeProperty().get()).isEqualTo("Deleted seller group 'table-test-group' from the draft");
        assertThat(vm.messageProperty().get()).isEmpty();

        vm.delete(created);   // already gone
        assertThat(vm.messageProperty().get()).startsWith("Cannot delete seller group 'table-test-group': ")
                .contains("does not exist");
    }
}
