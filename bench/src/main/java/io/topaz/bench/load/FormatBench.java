package io.topaz.bench.load;

import io.netty.handler.codec.http.HttpMethod;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Topaz answering the same call in several formats ({@code TOPAZ_BENCH_FORMATS=json,xml}), side by side in one run:
 * the maximum throughput of each (closed loop), then each paced at the same rate beside the demo upstream called
 * directly, for the latency the gateway adds per format. Every phase runs in rounds that alternate the targets (and
 * their order), so that the drift of a shared machine falls on all of them alike; the figures are ratios within one
 * run. The call is {@code taobao.item.get} with a typical TOP {@code fields} list: the demo upstream has no list
 * API, and its item answer (about half a kilobyte) is nearer what TOP clients fetch than {@code taobao.time.get}'s.
 */
final class FormatBench {

    private static final String METHOD = "taobao.item.get";
    private static final String RESPONSE = "item_get_response";
    /** The fields a TOP client typically asks {@code taobao.item.get} for; the upstream echoes them in the item. */
    private static final String FIELDS = "num_iid,title,nick,type,cid,seller_cids,props,input_pids,input_str,desc,"
            + "pic_url,num,valid_thru,list_time,delist_time,stuff_status,location,price,post_fee,express_fee,ems_fee,"
            + "has_discount,freight_payer,has_invoice,has_warranty,has_showcase,modified,approve_status,product_id,"
            + "property_alias,item_img,prop_img,sku,video,outer_id,is_virtual";
    private static final Map<String, String> APP_PARAMETERS = Map.of("num_iid", "520813250866", "fields", FIELDS);

    private FormatBench() {
    }

    /** The formats named in {@code TOPAZ_BENCH_FORMATS}, in order; a clear error for anything but json and xml. */
    static List<String> parseFormats(String value) {
        List<String> formats = new ArrayList<>();
        for (String f : value.split(",")) {
            String format = f.trim().toLowerCase(Locale.ROOT);
            if (!format.equals("json") && !format.equals("xml")) {
                throw new IllegalArgumentException("TOPAZ_BENCH_FORMATS: '" + f.trim() + "' is not a format the "
                        + "gateway answers in (json, xml)");
            }
            if (formats.contains(format)) {
                throw new IllegalArgumentException("TOPAZ_BENCH_FORMATS: " + format + " is named twice");
            }
            formats.add(format);
        }
        return formats;
    }

    /** What the answer in {@code format} contains, and errors do not: the response element of the method. */
    static String expected(String format) {
        return format.equals("xml") ? "<" + RESPONSE + ">" : "\"" + RESPONSE + "\"";
    }

    static void run(List<String> formats, int connections, double seconds, double warmup, String fixedRate)
            throws IOException, InterruptedException {
        Map<String, URI> uris = new LinkedHashMap<>();
        for (String format : formats) {
            uris.put(format, signedCall(format));
        }
        URI upstream = URI.create(GatewayBench.env("TOPAZ_DEMO_UPSTREAM_URL") + "/api");
        Map<String, String> direct = Map.of("X-Topaz-Method", METHOD, "Content-Type",
                "application/x-www-form-urlencoded; charset=UTF-8");
        String directBody = query(new TreeMap<>(APP_PARAMETERS));
        int rounds = GatewayBench.rounds();
        double roundWarmup = GatewayBench.roundWarmup();
        System.out.printf(Locale.ROOT, "formats %s through agent-1, %s, %d rounds%n", formats, METHOD, rounds);
        for (Map.Entry<String, URI> e : uris.entrySet()) {
            System.out.println("  " + e.getKey() + ": " + preflight(e.getValue(), expected(e.getKey())));
        }
        for (String format : formats) { // closed loop, not counted: the conversion compiled before anything counts
            System.out.println(LoadGenerator.run("warm-up " + format, uris.get(format), HttpMethod.GET, Map.of(), null,
                    expected(format), connections, warmup, 0, 0).line());
        }

        Map<String, LoadGenerator.Result> max = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String format : inRoundOrder(formats, round)) {
                LoadGenerator.Result r = LoadGenerator.run("topaz " + format + " (max)", uris.get(format),
                        HttpMethod.GET, Map.of(), null, expected(format), connections, seconds / rounds, roundWarmup, 0);
                max.merge(format, r, LoadGenerator.Result::plus);
            }
        }
        max.values().forEach(r -> System.out.println(r.line()));

        double rate = fixedRate != null && !fixedRate.isBlank() ? Double.parseDouble(fixedRate)
                : max.values().stream().mapToDouble(LoadGenerator.Result::throughput).min().orElseThrow() / 2;
        String label = String.format(Locale.ROOT, "@%.0f", rate);
        LoadGenerator.Result d = null;
        Map<String, LoadGenerator.Result> paced = new LinkedHashMap<>();
        Map<String, double[]> addedP99 = new LinkedHashMap<>();
        formats.forEach(f -> addedP99.put(f, new double[rounds]));
        for (int round = 0; round < rounds; round++) {
            double warm = round == 0 ? warmup / 2 : roundWarmup;
            LoadGenerator.Result dr = LoadGenerator.run("upstream direct " + label, upstream, HttpMethod.POST, direct,
                    directBody, "\"item\"", connections, seconds / rounds, warm, rate);
            d = d == null ? dr : d.plus(dr);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  round %d: direct p99 %.2f ms",
                    round + 1, dr.p(99)));
            for (String format : inRoundOrder(formats, round)) {
                LoadGenerator.Result r = LoadGenerator.run("topaz " + format + " " + label, uris.get(format),
                        HttpMethod.GET, Map.of(), null, expected(format), connections, seconds / rounds, warm, rate);
                paced.merge(format, r, LoadGenerator.Result::plus);
                addedP99.get(format)[round] = r.p(99) - dr.p(99);
                line.append(String.format(Locale.ROOT, ", %s p99 %.2f ms (%+.2f ms)", format, r.p(99),
                        r.p(99) - dr.p(99)));
            }
            System.out.println(line);
        }
        System.out.println(d.line());
        paced.values().forEach(r -> System.out.println(r.line()));

        System.out.println();
        for (String format : formats) {
            LoadGenerator.Result r = paced.get(format);
            System.out.printf(Locale.ROOT, "%-4s max %8.0f req/s; latency added at %.0f req/s: p50 %+.2f ms, p99 %+.2f ms"
                    + " (median of the rounds' p99 differences %+.2f ms)%n", format, max.get(format).throughput(), rate,
                    r.p(50) - d.p(50), r.p(99) - d.p(99), GatewayBench.median(addedP99.get(format)));
        }
        if (formats.size() >= 2) {
            String a = formats.get(0);
            String b = formats.get(1);
            LoadGenerator.Result ra = paced.get(a);
            LoadGenerator.Result rb = paced.get(b);
            System.out.printf(Locale.ROOT, "%s / %s: max throughput %.2f; added p50 %+.2f ms (%.2fx), added p99 %+.2f ms"
                    + " (%.2fx)%n", b, a, max.get(b).throughput() / max.get(a).throughput(),
                    (rb.p(50) - d.p(50)) - (ra.p(50) - d.p(50)), ratio(rb.p(50) - d.p(50), ra.p(50) - d.p(50)),
                    (rb.p(99) - d.p(99)) - (ra.p(99) - d.p(99)), ratio(rb.p(99) - d.p(99), ra.p(99) - d.p(99)));
        }
    }

    /** The formats in order on even rounds and reversed on odd ones: whichever runs second meets a warmer machine. */
    static List<String> inRoundOrder(List<String> formats, int round) {
        List<String> order = new ArrayList<>(formats);
        if (round % 2 == 1) {
            java.util.Collections.reverse(order);
        }
        return order;
    }

    /** The ratio, or NaN when the denominator is not a positive added latency (then a ratio says nothing). */
    private static double ratio(double numerator, double denominator) {
        return denominator > 0 ? numerator / denominator : Double.NaN;
    }

    /** One call with the JDK client before the load: its size and content type, or why it is not the answer. */
    private static String preflight(URI uri, String expect) throws IOException, InterruptedException {
        HttpResponse<byte[]> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        String body = new String(res.body(), StandardCharsets.UTF_8);
        if (res.statusCode() != 200 || !body.contains(expect)) {
            throw new IllegalStateException("the gateway did not answer " + METHOD + " as expected (HTTP "
                    + res.statusCode() + "): " + body);
        }
        return res.body().length + " bytes, " + res.headers().firstValue("content-type").orElse("no content type");
    }

    private static URI signedCall(String format) {
        Map<String, String> p = new TreeMap<>(APP_PARAMETERS);
        p.put("method", METHOD);
        p.put("app_key", GatewayBench.env("TOPAZ_APP_KEY"));
        p.put("timestamp", LocalDateTime.now(ZoneId.of("Asia/Shanghai"))
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")));
        p.put("v", "2.0");
        p.put("format", format);
        p.put("sign_method", "hmac-sha256");
        p.put("sign", TopSigner.sign(p, null, GatewayBench.env("TOPAZ_APP_SECRET"), SignMethod.HMAC_SHA256));
        return URI.create(GatewayBench.env("TOPAZ_GATEWAY_URL") + "?" + query(p));
    }

    private static String query(Map<String, String> parameters) {
        return parameters.entrySet().stream().map(e -> e.getKey() + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }
}
