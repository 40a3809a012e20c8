package io.topaz.bench.load;

import io.topaz.model.metrics.PrometheusText;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's own share of one method's latency ({@code topaz_gateway_own_latency_seconds}: arrival to response,
 * less the wait for the upstream), as cumulative bucket counts read from its {@code /metrics}. Two readings taken
 * around a run give that run's calls alone ({@link #minus}). It is what the gateway itself added, measured inside the
 * process: it leaves out the time a request waits in the socket before the agent reads it, which the load
 * generator's difference (gateway less direct) keeps.
 *
 * @param buckets cumulative counts by upper bound in seconds
 */
record OwnLatency(TreeMap<Double, Double> buckets, double count) {

    static final String METRIC = "topaz_gateway_own_latency_seconds";

    static OwnLatency empty() {
        return new OwnLatency(new TreeMap<>(), 0);
    }

    /** Reads the histogram of {@code method} from {@code metricsUrl}; empty when the agent has none for it yet. */
    static OwnLatency scrape(HttpClient http, URI metricsUrl, String method) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(metricsUrl).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IOException(metricsUrl + " answered " + res.statusCode());
        }
        Map<String, List<PrometheusText.Sample>> scraped = PrometheusText.samples(res.body(),
                List.of(METRIC + "_bucket", METRIC + "_count"));
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (PrometheusText.Sample s : scraped.get(METRIC + "_bucket")) {
            if (method.equals(s.label("method"))) {
                String le = s.label("le");
                buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), s.value());
            }
        }
        double count = scraped.get(METRIC + "_count").stream()
                .filter(s -> method.equals(s.label("method"))).mapToDouble(PrometheusText.Sample::value).sum();
        return new OwnLatency(buckets, count);
    }

    OwnLatency minus(OwnLatency earlier) {
        TreeMap<Double, Double> b = new TreeMap<>(buckets);
        earlier.buckets.forEach((le, n) -> b.merge(le, -n, Double::sum));
        return new OwnLatency(b, count - earlier.count);
    }

    OwnLatency plus(OwnLatency other) {
        TreeMap<Double, Double> b = new TreeMap<>(buckets);
        other.buckets.forEach((le, n) -> b.merge(le, n, Double::sum));
        return new OwnLatency(b, count + other.count);
    }

    /** The share of calls (0–1) whose own latency was at most {@code seconds}, a bucket bound; NaN without calls. */
    double shareWithin(double seconds) {
        Double n = buckets.get(seconds);
        return count <= 0 || n == null ? Double.NaN : n / count;
    }

    /** The smallest bucket bound (ms) within which at least {@code percentile} % of the calls fell. */
    double boundOfPercentile(double percentile) {
        for (Map.Entry<Double, Double> e : buckets.entrySet()) {
            if (count > 0 && e.getValue() >= count * percentile / 100) {
                return e.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
