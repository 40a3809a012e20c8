package io.topaz.bench.load;

import io.netty.handler.codec.http.HttpMethod;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The gateway under load, beside the demo upstream called directly, in one run: maximum throughput of each with the
 * same connections, then both paced at half the gateway's maximum to see the latency the gateway adds. Reads the
 * quickstart's settings from the environment (scripts/bench-gateway.sh starts the quickstart and passes them).
 */
public final class GatewayBench {

    private GatewayBench() {
    }

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        double warmup = args.length > 2 ? Double.parseDouble(args[2]) : 10;
        String gateway = env("TOPAZ_GATEWAY_URL");
        String upstream = env("TOPAZ_DEMO_UPSTREAM_URL") + "/api";
        String method = env("TOPAZ_DEMO_METHOD");

        Map<String, String> p = new TreeMap<>();
        p.put("method", method);
        p.put("app_key", env("TOPAZ_APP_KEY"));
        p.put("timestamp", LocalDateTime.now(ZoneId.of("Asia/Shanghai")).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")));
        p.put("v", "2.0");
        p.put("format", "json");
        p.put("sign_method", "hmac-sha256");
        p.put("sign", TopSigner.sign(p, null, env("TOPAZ_APP_SECRET"), SignMethod.HMAC_SHA256));
        URI gatewayUri = URI.create(gateway + "?" + p.entrySet().stream().map(e -> e.getKey() + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&")));
        Map<String, String> direct = Map.of("X-Topaz-Method", method, "Content-Type",
                "application/x-www-form-urlencoded; charset=UTF-8");

        System.out.printf(Locale.ROOT, "gateway load: %d connections, %.0f s measured after %.0f s warm-up, %d cores%n",
                connections, seconds, warmup, Runtime.getRuntime().availableProcessors());
        String fixedRate = System.getenv("TOPAZ_BENCH_RATE");
        String formats = System.getenv("TOPAZ_BENCH_FORMATS");
        if (formats != null && !formats.isBlank()) {
            // Topaz against itself, one answer format against another (issue 21): no upstream maximum, no SCG.
            FormatBench.run(FormatBench.parseFormats(formats), connections, seconds, warmup, fixedRate);
            return;
        }
        if (fixedRate != null && !fixedRate.isBlank()) {
            // A quick look at one load (profiling, trying a change): no maximum runs, both paced at the rate given.
            double rate = Double.parseDouble(fixedRate);
            // Paced from cold, the gateway falls behind while it is compiled and the backlog spills into the
            // measured window; a closed-loop run first warms it as the maximum run does in the full benchmark.
            System.out.println(LoadGenerator.run("topaz gateway warm-up", gatewayUri, HttpMethod.GET, Map.of(), null,
                    "time_get_response", connections, warmup, 0, 0).line());
            Paced both = paced(upstream, direct, gatewayUri, method, connections, seconds, warmup, rate, "@" + fixedRate);
            LoadGenerator.Result u = both.direct();
            System.out.println(u.line());
            LoadGenerator.Result g = both.gateway();
            System.out.println(g.line());
            System.out.printf(Locale.ROOT, "latency added at %.0f req/s: p50 %+.2f ms, p99 %+.2f ms, p99.9 %+.2f ms; "
                    + "median of the rounds' p99 differences %+.2f ms%n", rate, g.p(50) - u.p(50), g.p(99) - u.p(99),
                    g.p(99.9) - u.p(99.9), median(both.addedP99()));
            System.out.print(both.soundLine());
            System.out.print(both.ownLine());
            writeSlowLog();
            return;
        }
        LoadGenerator.Result up = LoadGenerator.run("upstream direct (max)", URI.create(upstream), HttpMethod.POST, direct,
                "", "\"time\"", connections, seconds, warmup, 0);
        System.out.println(up.line());
        LoadGenerator.Result gw = LoadGenerator.run("topaz gateway (max)", gatewayUri, HttpMethod.GET, Map.of(), null,
                "time_get_response", connections, seconds, warmup, 0);
        System.out.println(gw.line());

        String scgUrl = System.getenv("TOPAZ_SCG_URL");
        LoadGenerator.Result scg = null;
        if (scgUrl != null && !scgUrl.isBlank()) {
            // The same URL, query and all: Spring Cloud Gateway forwards it without checking the signature.
            URI scgUri = URI.create(scgUrl + "?" + gatewayUri.getRawQuery());
            scg = LoadGenerator.run("spring cloud gateway (max)", scgUri, HttpMethod.GET, Map.of(), null, "\"time\"",
                    connections, seconds, warmup, 0);
            System.out.println(scg.line());
        }

        double half = gw.throughput() / 2;
        Paced paced = paced(upstream, direct, gatewayUri, method, connections, seconds, warmup, half, "@half");
        LoadGenerator.Result upHalf = paced.direct();
        System.out.println(upHalf.line());
        LoadGenerator.Result gwHalf = paced.gateway();
        System.out.println(gwHalf.line());

        LoadGenerator.Result scgHalf = null;
        if (scg != null) {
            URI scgUri = URI.create(scgUrl + "?" + gatewayUri.getRawQuery());
            scgHalf = LoadGenerator.run("spring cloud gateway @half", scgUri, HttpMethod.GET, Map.of(), null, "\"time\"",
                    connections, seconds, warmup / 2, half);
            System.out.println(scgHalf.line());
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "gateway / direct throughput            %.2f%n", gw.throughput() / up.throughput());
        if (scg != null) {
            System.out.printf(Locale.ROOT, "topaz / spring cloud gateway throughput %.2f (target >= 2)%n",
                    gw.throughput() / scg.throughput());
            System.out.printf(Locale.ROOT, "p99 at max: topaz %.2f ms, spring cloud gateway %.2f ms; at %.0f req/s: "
                    + "topaz %.2f ms, spring cloud gateway %.2f ms%n", gw.p(99), scg.p(99), half, gwHalf.p(99),
                    scgHalf.p(99));
        }
        System.out.printf(Locale.ROOT, "latency added at %.0f req/s (half max): p50 %+.2f ms, p99 %+.2f ms, "
                + "p99.9 %+.2f ms; median of the rounds' p99 differences %+.2f ms%n", half, gwHalf.p(50) - upHalf.p(50),
                gwHalf.p(99) - upHalf.p(99), gwHalf.p(99.9) - upHalf.p(99.9), median(paced.addedP99()));
        System.out.print(paced.soundLine());
        System.out.print(paced.ownLine());
        writeSlowLog();
    }

    private static void writeSlowLog() throws IOException {
        if (LoadGenerator.SLOW != null) {
            Path file = Path.of(System.getenv("TOPAZ_BENCH_SLOWLOG"));
            Files.write(file, LoadGenerator.SLOW);
            System.out.printf(Locale.ROOT, "answers slower than 2 ms: %d lines (at most %d) in %s%n",
                    LoadGenerator.SLOW.size(), LoadGenerator.SLOW_MAX, file);
        }
    }

    /**
     * A round counts as sound when its direct calls' p99 is within this many times the median of all rounds' direct
     * p99: above it, the machine stalled the baseline itself (on the 2-core hosts, the real-time throttle or a full
     * second core), and the round's difference says nothing about the gateway.
     */
    private static final double SOUND_BASELINE_FACTOR = 4;

    /** Per round (in order): the direct calls' p99 and the gateway's p99 less it. */
    private record Paced(LoadGenerator.Result direct, LoadGenerator.Result gateway, double[] directP99,
                         double[] addedP99, OwnLatency own) {

        /** The median of the p99 differences of the rounds whose direct baseline held, and how many those were. */
        String soundLine() {
            double limit = SOUND_BASELINE_FACTOR * median(directP99);
            double[] sound = IntStream.range(0, addedP99.length).filter(i -> directP99[i] <= limit)
                    .mapToDouble(i -> addedP99[i]).toArray();
            return String.format(Locale.ROOT, "rounds with a sound direct baseline (direct p99 within %.0fx the "
                    + "rounds' median, %.2f ms): %d of %d; median of their p99 differences %+.2f ms%n",
                    SOUND_BASELINE_FACTOR, limit, sound.length, addedP99.length, median(sound));
        }

        /** The agent's own view of the paced gateway calls, or nothing when its metrics were not read. */
        String ownLine() {
            if (own == null || own.count() <= 0) {
                return "";
            }
            return String.format(Locale.ROOT, "the agent's own share (its topaz_gateway_own_latency_seconds over the "
                    + "paced gateway rounds, %.0f calls): %.2f %% within 1 ms, 99 %% within %.0f ms%n", own.count(),
                    100 * own.shareWithin(0.001), own.boundOfPercentile(99));
        }
    }

    /**
     * Paced runs alternate between the upstream and the gateway in this many rounds ({@code TOPAZ_BENCH_ROUNDS},
     * default 4).
     */
    static int rounds() {
        String r = System.getenv("TOPAZ_BENCH_ROUNDS");
        return r == null || r.isBlank() ? 4 : Integer.parseInt(r.trim());
    }

    /**
     * Seconds of each later round that run at the paced rate before its calls are counted
     * ({@code TOPAZ_BENCH_ROUND_WARMUP}, default 5): every round opens new connections, and the first calls after
     * the other target's round meet code the JIT compiler has not seen lately; counting them measured recompiling.
     */
    static double roundWarmup() {
        String w = System.getenv("TOPAZ_BENCH_ROUND_WARMUP");
        return w == null || w.isBlank() ? 5 : Double.parseDouble(w.trim());
    }

    /**
     * The upstream called directly and through the gateway at the same rate, with the same connections and pacing,
     * in alternating rounds whose latencies are added up per target: on a shared machine the background load drifts,
     * and one run of each, one after the other, put that drift into the difference. With {@code TOPAZ_BENCH_AA=1}
     * the second target is the upstream called directly again (an A/A run): the difference it reports is the
     * harness's and the machine's own noise, the smallest added latency this machine can resolve. With
     * {@code TOPAZ_BENCH_AA_URL} as well, the second target is another demo upstream at that base URL (say, one
     * on the gateway's core): what the topology alone adds, without a gateway in the path.
     */
    private static Paced paced(String upstream, Map<String, String> direct, URI gatewayUri, String method,
                               int connections, double seconds, double warmup, double rate, String label)
            throws InterruptedException {
        boolean aa = "1".equals(System.getenv("TOPAZ_BENCH_AA"));
        String aaUrl = System.getenv("TOPAZ_BENCH_AA_URL");
        URI again = URI.create(aaUrl == null || aaUrl.isBlank() ? upstream : aaUrl.replaceAll("/+$", "") + "/api");
        int rounds = rounds();
        String admin = System.getenv("TOPAZ_AGENT1_ADMIN_URL");
        URI metrics = aa || admin == null || admin.isBlank() ? null : URI.create(admin + "/metrics");
        HttpClient http = HttpClient.newHttpClient();
        OwnLatency own = OwnLatency.empty();
        LoadGenerator.Result d = null;
        LoadGenerator.Result g = null;
        double[] added = new double[rounds];
        double[] directP99 = new double[rounds];
        double roundWarmup = roundWarmup();
        for (int round = 0; round < rounds; round++) {
            double warm = round == 0 ? warmup / 2 : roundWarmup;
            LoadGenerator.Result dr = LoadGenerator.run("upstream direct " + label, URI.create(upstream),
                    HttpMethod.POST, direct, "", "\"time\"", connections, seconds / rounds, warm, rate);
            OwnLatency before = metrics == null ? null : scrapeOrNull(http, metrics, method);
            if (before == null) {
                metrics = null; // one failed reading ends the own-share measure; the load figures go on
            }
            LoadGenerator.Result gr = aa
                    ? LoadGenerator.run("direct again (A/A) " + label, again, HttpMethod.POST, direct,
                            "", "\"time\"", connections, seconds / rounds, warm, rate)
                    : LoadGenerator.run("topaz gateway " + label, gatewayUri, HttpMethod.GET, Map.of(), null,
                            "time_get_response", connections, seconds / rounds, warm, rate);
            OwnLatency after = before == null ? null : scrapeOrNull(http, metrics, method);
            if (after != null) { // the round's calls, its warm-up at the same rate included
                own = own.plus(after.minus(before));
            } else {
                metrics = null;
            }
            added[round] = gr.p(99) - dr.p(99);
            directP99[round] = dr.p(99);
            System.out.printf(Locale.ROOT, "  round %d: direct p99 %.2f ms, %s p99 %.2f ms (%+.2f ms)%n", round + 1,
                    dr.p(99), aa ? "direct again" : "topaz", gr.p(99), added[round]);
            d = d == null ? dr : d.plus(dr);
            g = g == null ? gr : g.plus(gr);
        }
        return new Paced(d, g, directP99, added, metrics == null ? null : own);
    }

    /** The median of the values (left as they are); NaN for none. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        values = values.clone();
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** The agent's own-latency reading, or null (with a warning) when its metrics cannot be read. */
    private static OwnLatency scrapeOrNull(HttpClient http, URI metrics, String method) throws InterruptedException {
        try {
            return OwnLatency.scrape(http, metrics, method);
        } catch (IOException e) {
            System.out.println("  (agent-1's own latency not measured: " + metrics + ": " + e.getMessage() + ")");
            return null;
        }
    }

    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set: run scripts/bench-gateway.sh, which starts the quickstart");
        }
        return v;
    }
}
