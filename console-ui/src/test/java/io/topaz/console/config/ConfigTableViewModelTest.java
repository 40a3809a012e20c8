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

    @Test
    void editsTopicsAndSubscriptionsWithTheirListsAndShowsTheirErrorsBesideTheField() {
        ConfigTableViewModel topics = new ConfigTableViewModel(KindForm.TOPICS, cluster.session(Role.OPERATOR),
                TestCluster.directWork());
        topics.refresh();
        topics.newEntry();
        EntryEditorViewModel topic = topics.editorProperty().get();
        topic.input("name").textProperty().set("console_test_OrderCreate");
        topic.input("group").textProperty().set("console_test");
        topic.input("producerApps").textProperty().set("producer-1, producer-2");
        topic.input("dataIdField").textProperty().set("tid");
        topic.save();
        assertThat(topics.editorProperty().get()).as("a saved editor closes").isNull();
        DraftItem saved = topics.visibleItems().stream().filter(i -> i.key().equals("console_test_OrderCreate"))
                .findFirst().orElseThrow();
        assertThat(saved.value()).containsEntry("producerApps", List.of("producer-1", "producer-2"))
                .containsEntry("dataIdField", "tid");
        assertThat(topics.cellText(saved, "producerApps")).isEqualTo("producer-1, producer-2");

        ConfigTableViewModel subs = new ConfigTableViewModel(KindForm.SUBSCRIPTIONS, cluster.session(Role.OPERATOR),
                TestCluster.directWork());
        subs.refresh();
        subs.newEntry();
        EntryEditorViewModel sub = subs.editorProperty().get();
        sub.input("appKey").textProperty().set("console-test-app");
        sub.input("topics").textProperty().set("console_test_OrderCreate, Not A Topic");
        sub.save();
        assertThat(sub.input("topics").errorProperty().get()).startsWith("topics[1] must be a topic name");
        assertThat(subs.visibleItems()).extracting(DraftItem::key).doesNotContain("console-test-app");
        sub.input("topics").textProperty().set("console_test_OrderCreate");
        sub.save();
        assertThat(subs.noticeProperty().get()).startsWith("Saved subscription 'console-test-app' (version 1)");

        for (var vm : List.of(subs, topics)) { // leave the shared draft publishable for the other tests
            DraftItem item = vm.visibleItems().stream().filter(i -> i.key().startsWith("console")).findFirst().orElseThrow();
            vm.delete(item);
            assertThat(vm.messageProperty().get()).isEmpty();
        }
    }

    @Test
    void editsSyncTargetsAndShowsAPasswordInTheUrlBesideTheFieldWithoutEchoingIt() {
        ConfigTableViewModel targets = new ConfigTableViewModel(KindForm.SYNC_TARGETS, cluster.session(Role.OPERATOR),
                TestCluster.directWork());
        targets.refresh();
        targets.newEntry();
        EntryEditorViewModel t = targets.editorProperty().get();
        t.input("name").textProperty().set("console-erp");
        t.input("appKey").textProperty().set("demo-app");
        t.input("jdbcUrl").textProperty().set("jdbc:mariadb://127.0.0.1:3306/jdp?password=hunter2");
        t.input("user").textProperty().set("root");
        t.input("sellerGroups").textProperty().set("g-a, g-b");
        t.save();
        assertThat(t.input("jdbcUrl").errorProperty().get()).contains("must not carry a password")
                .doesNotContain("hunter2");
        t.input("jdbcUrl").textProperty().set("jdbc:mariadb://127.0.0.1:3306/jdp");
        t.save();
        assertThat(targets.noticeProperty().get()).startsWith("Saved sync target 'console-erp' (version 1)");
        DraftItem saved = targets.visibleItems().stream().filter(i -> i.key().equals("console-erp")).findFirst()
                .orElseThrow();
        assertThat(saved.value()).containsEntry("sellerGroups", List.of("g-a", "g-b")).containsEntry("maxConnections", 4);
        targets.delete(saved); // leave the shared draft publishable (its seller groups do not exist)
        assertThat(targets.messageProperty().get()).isEmpty();
    }
}
