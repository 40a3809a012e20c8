package io.topaz.control.monitoring;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** promtool accepts docs/monitoring: the scrape configuration, the alert rules, their unit tests, the dashboard's queries. */
class PromtoolCheckTest {

    @BeforeEach
    void promtool() {
        Promtool.requireInstalled();
    }

    @Test
    void theScrapeConfigurationIsValid() throws Exception {
        // --syntax-only: the token file it names exists only on a real Prometheus host
        assertThat(Promtool.run(MonitoredQueries.DIR, "check", "config", "--syntax-only", "prometheus.yml"))
                .contains("SUCCESS");
    }

    @Test
    void theAlertRulesAreValidAndFireAsTheirUnitTestsExpect() throws Exception {
        assertThat(Promtool.run(MonitoredQueries.DIR, "check", "rules", "alerts.yml"))
                .contains("SUCCESS: " + MonitoredQueries.ruleExpressions().size() + " rules found");
        assertThat(Promtool.run(MonitoredQueries.DIR, "test", "rules", "alerts-test.yml")).contains("SUCCESS");
    }

    @Test
    void everyDashboardQueryIsValidPromQl(@TempDir Path dir) throws Exception {
        // promtool checks PromQL only inside rule files: each panel's query becomes a recording rule
        List<String> queries = MonitoredQueries.dashboardExpressions();
        assertThat(queries).hasSizeGreaterThan(15);
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            rules.append("      - record: dashboard:query_").append(i).append('\n')
                    .append("        expr: '").append(MonitoredQueries.asPromQl(queries.get(i)).replace("'", "''"))
                    .append("'\n");
        }
        Files.writeString(dir.resolve("dashboard-rules.yml"), rules);
        assertThat(Promtool.run(dir, "check", "rules", "dashboard-rules.yml"))
                .contains("SUCCESS: " + queries.size() + " rules found");
    }
}
