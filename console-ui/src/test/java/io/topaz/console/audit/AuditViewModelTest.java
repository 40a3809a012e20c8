package io.topaz.console.audit;

import io.topaz.console.TestCluster;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.AuditEvent;
import io.topaz.console.controlplane.AuditFilter;
import io.topaz.console.controlplane.Role;
import io.topaz.model.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuditViewModelTest {

    private final TestCluster cluster = TestCluster.get();
    private final ZoneId zone = ZoneId.of("Asia/Shanghai");

    @Test
    void filtersByUserAndItem() {
        Session operator = cluster.session(Role.OPERATOR);
        operator.client().create("agent-clusters", Map.of("name", "audit-test", "zone", "zone-a"));
        var item = operator.client().list("agent-clusters").stream().filter(i -> i.key().equals("audit-test")).findFirst().orElseThrow();
        operator.client().update("agent-clusters", "audit-test", item.version(),
                Map.of("name", "audit-test", "zone", "zone-b"));
        AuditViewModel vm = new AuditViewModel(cluster.session(Role.VIEWER), TestCluster.directWork(),
                java.time.Clock.systemUTC(), zone);

        vm.actorProperty().set(operator.operator().name());
        vm.search();
        assertThat(vm.events()).extracting(AuditEvent::action).containsExactly("UPDATE", "CREATE");
        assertThat(vm.statusProperty().get()).isEqualTo("2 events, newest first");

        vm.actorProperty().set("");
        vm.kindProperty().set("agent-clusters");
        vm.keyProperty().set("audit-test");
        vm.search();
        assertThat(vm.events()).hasSize(2).allSatisfy(e -> assertThat(e.actor()).isEqualTo(operator.operator().name()));
        vm.selectedProperty().set(vm.events().get(0));
        assertThat(vm.detailProperty().get()).contains("UPDATE  agent-clusters 'audit-test' → version 2")
                .contains("\"before\"").contains("\"zones\" : [ \"zone-b\" ]");

        vm.keyProperty().set("no-such-item");
        vm.search();
        assertThat(vm.events()).isEmpty();
        assertThat(vm.statusProperty().get()).isEqualTo("No events match");
    }

    @Test
    void turnsDatesAndTimesInTheOperatorsZoneIntoTheQueryRange() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-24T02:30:00Z")); // 10:30 in Shanghai
        AuditViewModel vm = new AuditViewModel(cluster.session(Role.VIEWER), TestCluster.directWork(), clock, zone);
        vm.fromDateProperty().set(LocalDate.of(2026, 11, 24));
        vm.fromTimeProperty().set("8:00");
        vm.toDateProperty().set(LocalDate.of(2026, 11, 24));
        AuditFilter f = vm.filter();
        assertThat(f.from()).isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(f.to()).as("a day without a time runs to its end").isEqualTo(Instant.parse("2026-11-24T16:00:00Z"));
        vm.toTimeProperty().set("09:15");
        assertThat(vm.filter().to()).as("'to' includes its minute").isEqualTo(Instant.parse("2026-11-24T01:16:00Z"));

        vm.lastHour();
        assertThat(vm.fromDateProperty().get()).isEqualTo(LocalDate.of(2026, 11, 24));
        assertThat(vm.fromTimeProperty().get()).isEqualTo("09:30");
        assertThat(vm.toDateProperty().get()).isNull();
        vm.lastDays(7);
        assertThat(vm.filter().from()).isEqualTo(Instant.parse("2026-11-17T16:00:00Z"));
    }

    @Test
    void unreadableFiltersAreExplainedAndNotSent() {
        AuditViewModel vm = new AuditViewModel(cluster.session(Role.VIEWER), TestCluster.directWork(),
                java.time.Clock.systemUTC(), zone);
        vm.fromDateProperty().set(LocalDate.of(2026, 1, 2));
        vm.fromTimeProperty().set("25:00");
        vm.search();
        assertThat(vm.messageProperty().get()).isEqualTo("'From' time must be HH:mm such as 08:30, was '25:00'");

        vm.fromTimeProperty().set("");
        vm.toDateProperty().set(LocalDate.of(2026, 1, 1));
        vm.search();
        assertThat(vm.messageProperty().get()).isEqualTo("'From' must be before 'To'");

        vm.clearFilters();
        vm.releaseProperty().set("seven");
        vm.search();
        assertThat(vm.messageProperty().get()).isEqualTo("Release must be a release number such as 7, was 'seven'");

        vm.releaseProperty().set("1");
        vm.search();
        assertThat(vm.messageProperty().get()).isEmpty();
        assertThat(vm.events()).extracting(AuditEvent::action).containsExactly("PUBLISH");
        assertThat(vm.events().get(0).release()).isEqualTo(1);
    }
}
