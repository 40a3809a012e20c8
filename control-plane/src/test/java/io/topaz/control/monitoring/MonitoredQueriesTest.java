package io.topaz.control.monitoring;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The metric-name reader the existence check relies on: it must find names, and only names. */
class MonitoredQueriesTest {

    @Test
    void readsMetricNamesAndSkipsFunctionsKeywordsLabelsRangesAndGroupings() {
        assertThat(MonitoredQueries.metricNames("""
                histogram_quantile(0.99, sum by (method, le) (rate(topaz_gateway_latency_seconds_bucket{agent=~"a|b",\
                le="0.001"}[5m]))) > 1 and on (method) sum without (code) (rate(topaz_gateway_errors_total[1h] offset 5m))
                  / scalar(max(topaz_release_live)) - topaz_config_applied_release > bool 1e3 or up == 0"""))
                .containsExactly("topaz_config_applied_release", "topaz_gateway_errors_total",
                        "topaz_gateway_latency_seconds_bucket", "topaz_release_live", "up");
    }

    @Test
    void theRulesAndTheDashboardAreRead() throws Exception {
        assertThat(MonitoredQueries.ruleExpressions()).hasSizeGreaterThanOrEqualTo(10);
        assertThat(MonitoredQueries.dashboardExpressions()).anySatisfy(e -> assertThat(e).contains("$agent"));
    }
}
