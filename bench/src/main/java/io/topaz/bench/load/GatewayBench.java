package io.topaz.bench.load;

import io.netty.handler.codec.http.HttpMethod;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

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
        if (fixedRate != null && !fixedRate.isBlank()) {
            // A quick look at one load (profiling, trying a change): no maximum runs, both paced at the rate given.
            double rate = Double.parseDouble(fixedRate);
            LoadGenerator.Result u = LoadGenerator.run("upstream direct @" + fixedRate, URI.create(upstream),
                    HttpMethod.POST, direct, "", "\"time\"", connections, seconds, warmup, rate);
            System.out.println(u.line());
            LoadGenerator.Result g = LoadGenerator.run("topaz gateway @" + fixedRate, gatewayUri, HttpMethod.GET,
                    Map.of(), null, "time_get_response", connections, seconds, warmup, rate);
            System.out.println(g.line());
            System.out.printf(Locale.ROOT, "latency added at %.0f req/s: p50 %+.2f ms, p99 %+.2f ms, p99.9 %+.2f ms%n",
                    rate, g.p(50) - u.p(50), g.p(99) - u.p(99), g.p(99.9) - u.p(99.9));
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
        LoadGenerator.Result upHalf = LoadGenerator.run("upstream direct @half", URI.create(upstream), HttpMethod.POST,
                direct, "", "\"time\"", connections, seconds, warmup / 2, half);
        System.out.println(upHalf.line());
        LoadGenerator.Result gwHalf = LoadGenerator.run("topaz gateway @half", gatewayUri, HttpMethod.GET, Map.of(), null,
                "time_get_response", connections, seconds, warmup / 2, half);
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
        System.out.printf(Locale.ROOT, "latency added at %.0f req/s (half max): p50 %+.2f ms, p99 %+.2f ms%n", half,
                gwHalf.p(50) - upHalf.p(50), gwHalf.p(99) - upHalf.p(99));
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set: run scripts/bench-gateway.sh, which starts the quickstart");
        }
        return v;
    }
}
