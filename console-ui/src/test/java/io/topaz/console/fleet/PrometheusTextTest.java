package io.topaz.console.fleet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrometheusTextTest {

    private static final String TEXT = """
            # HELP topaz_gateway_requests_total calls
            # TYPE topaz_gateway_requests_total counter
            topaz_gateway_requests_total{agent="a",api="x"} 120.0
            topaz_gateway_requests_total{agent="a",api="y"} 3.5E1
            topaz_gateway_requests_total_created{agent="a"} 1.7E9
            topaz_gateway_requests_totalish 99
            topaz_gateway_errors_total 7
            topaz_gateway_errors_total{api="z"} NaN
            broken_line{ 5
            """;

    @Test
    void sumsEverySampleOfTheExactMetricOverItsLabels() {
        assertThat(PrometheusText.sum(TEXT, "topaz_gateway_requests_total")).hasValue(155.0);
        assertThat(PrometheusText.sum(TEXT, "topaz_gateway_errors_total")).hasValue(7.0);
    }

    @Test
    void anAbsentMetricIsEmptyNotZero() {
        assertThat(PrometheusText.sum(TEXT, "topaz_broker_messages_total")).isEmpty();
        assertThat(PrometheusText.sum("", "topaz_gateway_requests_total")).isEmpty();
    }
}
