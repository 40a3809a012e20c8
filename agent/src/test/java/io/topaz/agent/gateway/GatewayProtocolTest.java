package io.topaz.agent.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TOP protocol's corners through the real gateway, as a TOP client meets them: XML answers (the default),
 * {@code ;} in values, invalid UTF-8, duplicated parameters in a batch, HTTP-level refusals in TOP's shape, the
 * absolute-form target, gzip, and the lenient acceptances. docs/conformance.md lists which test covers which row.
 */
class GatewayProtocolTest {

    private static final String XML_DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    private static final Pattern REQUEST_ID = Pattern.compile("<request_id>([0-9a-z]+)</request_id>");
    private static final ListAppender<ILoggingEvent> ACCESS = new ListAppender<>();
    private static GatewayHarness h;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.get();
        ACCESS.start();
        ((Logger) LoggerFactory.getLogger("io.topaz.agent.gateway.access")).addAppender(ACCESS);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger("io.topaz.agent.gateway.access")).detachAppender(ACCESS);
        assertThat(GatewayHarness.BLOCKING_CALLS).isEmpty();
    }

    // ---- 1. XML answers ----

    @Test
    void anAbsentFormatAnswersXmlAsTopDoesAndFormatJsonAnswersJson() throws Exception {
        for (String format : new String[] {null, "xml"}) {
            HttpResponse<String> res = get(GatewayHarness.signedAs(format, "taobao.time.get"));
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("Content-Type")).contains("text/xml;charset=UTF-8");
            assertThat(res.body()).matches(Pattern.quote(XML_DECLARATION) + "<time_get_response><time>2026-11-24 "
                    + "12:00:00</time><request_id>[0-9a-z]+</request_id></time_get_response>");
        }
        HttpResponse<String> json = get(GatewayHarness.signedAs("json", "taobao.time.get"));
        assertThat(json.headers().firstValue("Content-Type")).contains("application/json;charset=UTF-8");
        assertThat(json.body()).startsWith("{\"time_get_response\":{\"time\":\"2026-11-24 12:00:00\",\"request_id\":\"");
        // simplify drops JSON's wrapper; XML keeps its root element, which it cannot do without
        assertThat(get(GatewayHarness.signedAs("json", "taobao.time.get", "simplify", "true")).body())
                .startsWith("{\"time\":\"2026-11-24 12:00:00\",\"request_id\":\"");
        assertThat(get(GatewayHarness.signedAs("xml", "taobao.time.get", "simplify", "true")).body())
                .startsWith(XML_DECLARATION + "<time_get_response><time>");
    }

    @Test
    void errorsListsAndUnconvertibleAnswersHaveTheirXmlForm() throws Exception {
        Map<String, String> noMethod = GatewayHarness.signedAs(null, "taobao.time.get");
        noMethod.remove("method");
        assertThat(get(noMethod).body()).matches(Pattern.quote(XML_DECLARATION) + "<error_response><code>21</code>"
                + "<msg>Missing Method</msg><sub_code>isv.missing-parameter:method</sub_code><sub_msg>the system "
                + "parameter 'method' is missing</sub_msg><request_id>[0-9a-z]+</request_id></error_response>");
        assertThat(get(GatewayHarness.signedAs("yaml", "taobao.time.get")).body())
                .contains("<code>23</code><msg>Invalid Format</msg>");
        assertThat(get(GatewayHarness.signedAs("xml", "taobao.item.get")).body())
                .contains("<code>40</code>").contains("<sub_code>isv.missing-parameter:num_iid</sub_code>");

        String trades = get(GatewayHarness.signedAs("xml", "taobao.trades.sold.get")).body();
        assertThat(trades).startsWith(XML_DECLARATION + "<trades_sold_get_response><trades list=\"true\"><trade>"
                + "<tid>1000</tid><title>Blue cup &amp; &lt;saucer&gt; no. 0</title><paid>true</paid></trade>")
                .contains("</trade></trades><total_results>40</total_results><request_id>");
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(trades.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getElementsByTagName("trade").getLength()).isEqualTo(40);
        assertThat(doc.getElementsByTagName("title").item(3).getTextContent()).isEqualTo("Blue cup & <saucer> no. 3");

        // braces around something that is not JSON: passed through in JSON, a remote service error in XML
        assertThat(get(GatewayHarness.signedAs("xml", "topaz.demo.broken")).body())
                .contains("<code>15</code>").contains("<sub_code>isp.remote-service-error</sub_code>");
    }

    @Test
    void aBatchInXmlAnswersEachPartAsATopXmlResponse() throws Exception {
        String body = "method=taobao.time.get\r\n-S-\r\nmethod=taobao.item.get\r\n-S-\r\nmethod=taobao.trades.sold.get";
        String[] parts = batch(null, body).split("\r\n-S-\r\n");
        assertThat(parts).hasSize(3).allMatch(p -> p.startsWith(XML_DECLARATION));
        assertThat(parts[0]).contains("<time_get_response><time>2026-11-24 12:00:00</time><request_id>");
        assertThat(parts[1]).contains("<error_response><code>40</code>");
        assertThat(parts[2]).contains("<trades list=\"true\">");
        // the batch as a whole refused: one error_response, in the batch's format
        assertThat(batch("xml", "")).startsWith(XML_DECLARATION + "<error_response><code>40</code>");
    }

    /**
     * Every platform error a caller can provoke from outside, in JSON and in XML: the conformance checklist's rows
     * (docs/conformance.md). Code 23 answers in XML, the default, since the format asked is not one served.
     */
    @Test
    void everyPlatformErrorHasItsJsonAndItsXmlForm() throws Exception {
        for (String format : List.of("json", "xml")) {
            Map<String, String> p = GatewayHarness.signedAs(format, "taobao.time.get");
            assertError(format, without(p, "method"), 21, "isv.missing-parameter:method");
            assertError(format, GatewayHarness.signedAs(format, "taobao.nothing.get"), 22, "isv.invalid-method");
            assertError(format, with(p, "sign", "0".repeat(32)), 25, "isv.invalid-signature");
            assertError(format, with(p, "sign", "0".repeat(64)), 25, "isv.invalid-signature");
            assertError(format, with(p, "sign_method", "sha1"), 25, "isv.invalid-parameter:sign_method");
            assertError(format, without(p, "sign"), 25, "isv.missing-parameter:sign");
            assertError(format, without(p, "app_key"), 28, "isv.missing-parameter:app_key");
            assertError(format, with(p, "app_key", "no-such-app"), 29, "isv.appkey-not-exists");
            assertError(format, without(p, "timestamp"), 30, "isv.missing-parameter:timestamp");
            assertError(format, with(p, "timestamp", "yesterday"), 31, "isv.invalid-parameter:timestamp");
            assertError(format, with(p, "timestamp", "2020-01-01 00:00:00"), 31, "isv.invalid-parameter:timestamp");
            assertError(format, without(p, "v"), 32, "isv.missing-parameter:v");
            assertError(format, with(p, "v", "1.0"), 33, "isv.invalid-parameter:v");
            assertError(format, GatewayHarness.signedAs(format, "taobao.item.get"), 40, "isv.missing-parameter:num_iid");
            assertError(format, GatewayHarness.signedAs(format, "taobao.trade.get"), 11,
                    "isv.permission-api-package-limit");
            assertError(format, GatewayHarness.signedAs(format, "taobao.user.seller.get"), 26,
                    "isv.missing-parameter:session");
            assertError(format, GatewayHarness.signedAs(format, "taobao.time.get", "session", "no-such-session"), 27,
                    "isv.invalid-session");
            assertError(format, GatewayHarness.signedAs(format, "topaz.demo.down"), 15, null);
            get(GatewayHarness.signedAs(format, "taobao.once.get")); // its one call per second, on a clock that stays
            assertError(format, GatewayHarness.signedAs(format, "taobao.once.get"), 7,
                    "accesscontrol.limited-by-api-access-count");
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 600; i++) {
                many.append("&p").append(i).append("=1");
            }
            assertError(format, send(HttpRequest.newBuilder(URI.create(url("/router/rest?format=" + format + many)))
                    .build()), 41, "isv.too-many-parameters");
            assertError(format, get(p, "&v=2.0"), 43, "isv.duplicate-parameter");
            assertError(format, send(HttpRequest.newBuilder(URI.create(url("/router/rest?format=" + format
                    + "&title=%FF"))).build()), 47, "isv.invalid-encoding");
        }
        assertError("xml", GatewayHarness.signedAs("yaml", "taobao.time.get"), 23, "isv.invalid-format");
    }

    private void assertError(String format, Map<String, String> params, int code, String subCode) throws Exception {
        assertError(format, get(params), code, subCode);
    }

    private static void assertError(String format, HttpResponse<String> res, int code, String subCode) {
        String body = res.body();
        assertThat(res.statusCode()).isEqualTo(200);
        if (format.equals("xml")) {
            assertThat(res.headers().firstValue("Content-Type")).contains("text/xml;charset=UTF-8");
            assertThat(body).as(body).startsWith(XML_DECLARATION + "<error_response><code>" + code + "</code><msg>"
                    + TopError.message(code) + "</msg>").containsPattern("<request_id>[0-9a-z]+</request_id>"
                    + "</error_response>$");
            if (subCode != null) {
                assertThat(body).as(body).contains("<sub_code>" + subCode + "</sub_code>");
            }
        } else {
            assertThat(res.headers().firstValue("Content-Type")).contains("application/json;charset=UTF-8");
            assertThat(body).as(body).startsWith("{\"error_response\":{\"code\":" + code + ",\"msg\":\""
                    + TopError.message(code) + "\"").containsPattern("\"request_id\":\"[0-9a-z]+\"}}$");
            if (subCode != null) {
                assertThat(body).as(body).contains("\"sub_code\":\"" + subCode + "\"");
            }
        }
    }

    private static Map<String, String> with(Map<String, String> p, String name, String value) {
        Map<String, String> copy = new TreeMap<>(p);
        copy.put(name, value);
        return copy;
    }

    private static Map<String, String> without(Map<String, String> p, String name) {
        Map<String, String> copy = new TreeMap<>(p);
        copy.remove(name);
        return copy;
    }

    // ---- 2. ';' is an ordinary character ----

    @Test
    void aSemicolonInAValueIsPartOfTheValue() throws Exception {
        Map<String, String> p = GatewayHarness.signed("topaz.demo.echo", "fields", "tid;title", "q", "a;b;c");
        String raw = GatewayHarness.query(p).replace("%3B", ";"); // as a client that leaves ';' unescaped sends it
        assertThat(raw).contains("fields=tid;title");
        HttpResponse<String> got = send(HttpRequest.newBuilder(URI.create(url("/router/rest?" + raw))).build());
        assertThat(got.body()).contains("fields=tid%3Btitle").contains("q=a%3Bb%3Bc");
        HttpResponse<String> form = send(HttpRequest.newBuilder(URI.create(url("/router/rest")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(raw)).build());
        assertThat(form.body()).contains("fields=tid%3Btitle").contains("q=a%3Bb%3Bc");
        String batch = batch("json", "method=topaz.demo.echo&fields=tid;title");
        assertThat(batch).contains("fields=tid%3Btitle");
    }

    // ---- 3. invalid UTF-8 is 47 ----

    @Test
    void invalidUtf8IsCode47InQueryFormMultipartAndBatch() throws Exception {
        // %FF%FE: no UTF-8 at all; %D6%D0: "中" in GBK; %C0%AF: an overlong '/'; %ED%A0%80: an encoded surrogate
        for (String bad : List.of("%FF%FE", "%D6%D0", "%C0%AF", "%ED%A0%80", "%E4%B8")) {
            String q = "format=json&method=taobao.time.get&title=" + bad;
            assertCode(send(HttpRequest.newBuilder(URI.create(url("/router/rest?" + q))).build()), 47);
            assertCode(send(HttpRequest.newBuilder(URI.create(url("/router/rest")))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(q)).build()), 47);
        }
        // valid UTF-8 (a CJK character, an emoji) is read as the client signed it
        assertThat(get(GatewayHarness.signed("taobao.time.get", "title", "中\uD83D\uDE00")).body())
                .startsWith("{\"time_get_response\"");
        // raw GBK bytes in the request line, unescaped
        String rawLine = raw(("GET /router/rest?format=json&method=taobao.time.get&title=\u00d6\u00d0 HTTP/1.1\r\n"
                + "Host: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(rawLine).startsWith("HTTP/1.1 200").contains("\"code\":47");

        // a multipart field
        String boundary = "b0undary";
        ByteArrayOutputStream multipart = new ByteArrayOutputStream();
        multipart.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\njson\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        multipart.writeBytes(new byte[] {(byte) 0xD6, (byte) 0xD0, (byte) 0xFF});
        multipart.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        assertCode(send(HttpRequest.newBuilder(URI.create(url("/router/rest")))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart.toByteArray())).build()), 47);

        // a batch sub-call: that one is 47, the other answers
        String[] parts = batch("json", "method=taobao.time.get&title=%D6%D0\r\n-S-\r\nmethod=taobao.time.get")
                .split("\r\n-S-\r\n");
        assertThat(parts[0]).contains("\"code\":47").contains("isv.invalid-encoding");
        assertThat(parts[1]).startsWith("{\"time_get_response\"");
    }

    // ---- 4. a duplicated parameter in a batch sub-call is 43 ----

    @Test
    void aBatchSubCallWithADuplicatedParameterGets43AndTheOthersRun() throws Exception {
        String[] parts = batch("json", "method=taobao.time.get&n=1&n=2\r\n-S-\r\nmethod=taobao.time.get")
                .split("\r\n-S-\r\n");
        assertThat(parts[0]).contains("\"code\":43").contains("isv.duplicate-parameter").contains("'n'");
        assertThat(parts[1]).startsWith("{\"time_get_response\"");
        // as /router/rest does
        assertCode(get(GatewayHarness.signed("taobao.time.get"), "&v=2.0"), 43);
    }

    // ---- 5. HTTP-level refusals speak TOP ----

    @Test
    void httpLevelRefusalsCarryATopErrorWithARequestIdThatIsLogged() throws Exception {
        String longUrl = raw(("GET /router/rest?format=xml&x=" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertRefusal(longUrl, 414, "json", 41); // the line could not be read: JSON
        String bigHeader = raw(("GET /router/rest?format=xml HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertRefusal(bigHeader, 431, "xml", 41);
        String bigBody = raw(("POST /router/rest?format=xml HTTP/1.1\r\nHost: x\r\nContent-Type: "
                + "application/x-www-form-urlencoded\r\nContent-Length: " + (3 * 1024 * 1024) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertRefusal(bigBody, 413, "xml", 41);
        String bigBodyNoFormat = raw(("POST /router/rest HTTP/1.1\r\nHost: x\r\nContent-Length: " + (3 * 1024 * 1024)
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertRefusal(bigBodyNoFormat, 413, "json", 41); // format may be in the unread body: JSON
        // half a body, then nothing: the gateway's read timeout (500 ms in the harness) answers 408
        String slow = raw(("POST /router/rest?format=json HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nmethod=")
                .getBytes(StandardCharsets.US_ASCII));
        assertRefusal(slow, 408, "json", 10);
        assertRefusal(raw("GET /router/rest?format=json HTTP/2.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                505, "json", 43);
        assertRefusal(raw("GET /router/rest?format=json HTTP/1.7\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                505, "json", 43);
        assertRefusal(raw("PUT /router/rest HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII)), 405, "json", 43);
    }

    @Test
    void anAbsoluteFormRequestTargetIsServed() throws Exception {
        String q = GatewayHarness.query(GatewayHarness.signed("taobao.time.get"));
        String res = raw(("GET http://127.0.0.1:" + h.port + "/router/rest?" + q + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(res).startsWith("HTTP/1.1 200").contains("{\"time_get_response\":{\"time\":\"2026-11-24 12:00:00\"");
        assertThat(RequestTarget.of("HTTP://host")).isEqualTo(new RequestTarget("/", ""));
        assertThat(RequestTarget.of("http://host?a=1")).isEqualTo(new RequestTarget("/", "a=1"));
        assertThat(RequestTarget.of("/router/rest?a=b#f")).isEqualTo(new RequestTarget("/router/rest", "a=b#f"));
    }

    // ---- 6. gzip ----

    @Test
    void aCallerAcceptingGzipGetsLargeAnswersGzipped() throws Exception {
        for (String format : List.of("json", "xml")) {
            HttpResponse<byte[]> zipped = http.send(HttpRequest.newBuilder(URI.create(url("/router/rest?"
                            + GatewayHarness.query(GatewayHarness.signedAs(format, "taobao.trades.sold.get")))))
                    .header("Accept-Encoding", "gzip, deflate").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(zipped.headers().firstValue("Content-Encoding")).contains("gzip");
            String text;
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(text.length()).isGreaterThan(GzipAnswers.THRESHOLD).isGreaterThan(zipped.body().length);
            assertThat(text).contains(format.equals("json") ? "{\"trades_sold_get_response\":{\"trades\":{\"trade\":["
                    : "<trades_sold_get_response><trades list=\"true\">");
        }
        // without the header, or with gzip refused, or for a small answer: as it is
        HttpResponse<String> plain = get(GatewayHarness.signed("taobao.trades.sold.get"));
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(plain.body()).startsWith("{\"trades_sold_get_response\"");
        HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(url("/router/rest?"
                + GatewayHarness.query(GatewayHarness.signed("taobao.trades.sold.get")))))
                .header("Accept-Encoding", "*, gzip;q=0").build());
        assertThat(refused.headers().firstValue("Content-Encoding")).isEmpty();
        HttpResponse<String> small = send(HttpRequest.newBuilder(URI.create(url("/router/rest?"
                + GatewayHarness.query(GatewayHarness.signed("taobao.time.get"))))).header("Accept-Encoding", "gzip")
                .build());
        assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(small.body()).startsWith("{\"time_get_response\"");
        assertThat(GzipAnswers.accepted("x-gzip;q=0.5")).isTrue();
        assertThat(GzipAnswers.accepted("br, identity")).isFalse();
        assertThat(GzipAnswers.accepted("gzip;q=0, *")).isFalse();
    }

    // ---- 7. lenient acceptances ----

    @Test
    void anAbsentSignMethodIsMd5AndLowercaseHexIsAccepted() throws Exception {
        Map<String, String> p = GatewayHarness.signed("taobao.time.get");
        p.remove("sign_method");
        p.put("sign", TopSigner.sign(p, null, GatewayHarness.SECRET, SignMethod.MD5));
        assertThat(get(p).body()).startsWith("{\"time_get_response\"");
        Map<String, String> lower = GatewayHarness.signed("taobao.time.get");
        lower.put("sign", lower.get("sign").toLowerCase(Locale.ROOT));
        assertThat(get(lower).body()).startsWith("{\"time_get_response\"");
    }

    @Test
    void otherLenientReadingsAreKept() throws Exception {
        // a timestamp in epoch milliseconds, as some SDKs send it
        Map<String, String> p = GatewayHarness.signed("taobao.time.get");
        p.put("timestamp", Long.toString(System.currentTimeMillis()));
        p.put("sign", TopSigner.sign(p, null, GatewayHarness.SECRET, SignMethod.HMAC));
        assertThat(get(p).body()).startsWith("{\"time_get_response\"");
        // the format's name in any case
        assertThat(get(GatewayHarness.signedAs("JSON", "taobao.time.get")).body()).startsWith("{\"time_get_response\"");
        assertThat(get(GatewayHarness.signedAs("Xml", "taobao.time.get")).body()).startsWith(XML_DECLARATION);
        // empty pairs and a pair without a name are skipped, as by every form decoder
        assertThat(get(GatewayHarness.signed("taobao.time.get"), "&&=x&").body()).startsWith("{\"time_get_response\"");
    }

    @Test
    void partnerIdAndTargetAppKeyAreSignedAndNotForwarded() throws Exception {
        Map<String, String> p = GatewayHarness.signed("topaz.demo.echo", "partner_id", "top-sdk-java-1",
                "target_app_key", "12345", "q", "1");
        String got = get(p).body();
        assertThat(got).startsWith("{\"echo_response\"".replace("echo", "topaz_demo_echo")).contains("q=1")
                .doesNotContain("partner_id").doesNotContain("target_app_key");
        assertCode(get(with(p, "partner_id", "changed")), 25); // signed like any other parameter
    }

    // ---- helpers ----

    /** A refusal's status, its TOP body in {@code format} with {@code code}, and its request id in the access log. */
    private static void assertRefusal(String response, int status, String format, int code) {
        assertThat(response).as(response.length() > 300 ? response.substring(0, 300) : response)
                .startsWith("HTTP/1.1 " + status);
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        String id;
        if (format.equals("xml")) {
            assertThat(response).containsIgnoringCase("content-type: text/xml;charset=UTF-8");
            assertThat(body).startsWith(XML_DECLARATION + "<error_response><code>" + code + "</code>");
            Matcher m = REQUEST_ID.matcher(body);
            assertThat(m.find()).isTrue();
            id = m.group(1);
        } else {
            assertThat(response).containsIgnoringCase("content-type: application/json;charset=UTF-8");
            assertThat(body).startsWith("{\"error_response\":{\"code\":" + code + ",");
            Matcher m = Pattern.compile("\"request_id\":\"([0-9a-z]+)\"").matcher(body);
            assertThat(m.find()).as(body).isTrue();
            id = m.group(1);
        }
        assertThat(ACCESS.list).as("the access log names request " + id)
                .anyMatch(e -> e.getFormattedMessage().startsWith(id + " ") && e.getFormattedMessage()
                        .contains("HTTP " + status));
    }

    private static void assertCode(HttpResponse<String> res, int code) {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).as(res.body()).startsWith("{\"error_response\":{\"code\":" + code + ",");
    }

    private String batch(String format, String body) throws Exception {
        Map<String, String> shared = new TreeMap<>(GatewayHarness.signedAs(format, "taobao.time.get"));
        shared.remove("method");
        shared.remove("sign");
        shared.put("sign", TopSigner.sign(shared, body, GatewayHarness.SECRET, SignMethod.HMAC));
        return send(HttpRequest.newBuilder(URI.create(url("/router/batch?" + GatewayHarness.query(shared))))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()).body();
    }

    private HttpResponse<String> get(Map<String, String> params) throws Exception {
        return get(params, "");
    }

    private HttpResponse<String> get(Map<String, String> params, String rawSuffix) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url("/router/rest?" + GatewayHarness.query(params) + rawSuffix)))
                .build());
    }

    private HttpResponse<String> send(HttpRequest req) throws Exception {
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private static String url(String pathAndQuery) {
        return "http://127.0.0.1:" + h.port + pathAndQuery;
    }

    /** Writes {@code request} on a new connection; the whole answer, read until the gateway closes. */
    private static String raw(byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", h.port)) {
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
            } catch (IOException e) {
                // refused before the whole request was written
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    if (complete(out.toString(StandardCharsets.UTF_8))) {
                        break;
                    }
                }
            } catch (IOException e) {
                // reset after the answer
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Whether {@code text} holds a whole response (its head and Content-Length bytes of body). */
    private static boolean complete(String text) {
        int head = text.indexOf("\r\n\r\n");
        if (head < 0) {
            return false;
        }
        Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(text.substring(0, head));
        return m.find() && text.substring(head + 4).getBytes(StandardCharsets.UTF_8).length >= Integer.parseInt(m.group(1));
    }
}
