package io.topaz.model.docs;

import io.topaz.model.testing.RepositoryDocs;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/top-protocol.md's worked signing examples are what the gateway's own signer computes: every
 * {@code ```signing-example} block is parsed and signed with {@link TopSigner}, so an example that drifts from the
 * code (or a code change that breaks TOP clients) fails here.
 */
class TopProtocolDocTest {

    private static final String DOC = "docs/top-protocol.md";

    @Test
    void everyWorkedExampleIsWhatTheSignerComputes() {
        List<String> blocks = RepositoryDocs.fencedBlocks(RepositoryDocs.read(DOC), "signing-example");
        assertThat(blocks).as("signing examples in " + DOC).hasSizeGreaterThanOrEqualTo(4);
        for (String block : blocks) {
            Map<String, String> f = fields(block);
            SignMethod method = SignMethod.fromWire(f.get("sign_method")).orElseThrow(
                    () -> new AssertionError(DOC + ": unknown sign_method in example:\n" + block));
            String secret = f.get("secret");
            Map<String, String> params = decodeQuery(f.get("parameters"));
            String body = f.containsKey("body") ? unescape(f.get("body")) : null;
            String pairs = TopSigner.canonical(params, body);

            assertThat(unescape(f.get("pairs"))).as(DOC + ": the string of sorted pairs of\n" + block).isEqualTo(pairs);
            String digested = method == SignMethod.MD5 ? secret + pairs + secret : pairs;
            assertThat(unescape(f.get("digested"))).as(DOC + ": the text digested in\n" + block).isEqualTo(digested);
            assertThat(f.get("sign")).as(DOC + ": the sign of\n" + block)
                    .isEqualTo(TopSigner.sign(params, body, secret, method));
            assertThat(params).as(DOC + ": the example's own sign_method parameter").containsEntry("sign_method",
                    method.wireName());
        }
        Set<String> methods = blocks.stream().map(b -> fields(b).get("sign_method")).collect(Collectors.toSet());
        assertThat(methods).as("every sign method has a worked example").containsExactlyInAnyOrder(
                "md5", "hmac", "hmac-sha256");
        assertThat(blocks).as("a batch example, with a body").anyMatch(b -> fields(b).containsKey("body"));
    }

    private static Map<String, String> fields(String block) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : block.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                f.put(line.substring(0, colon).trim(), line.substring(colon + 1).strip());
            }
        }
        for (String required : List.of("sign_method", "secret", "parameters", "pairs", "digested", "sign")) {
            assertThat(f).as(DOC + ": example lacks '" + required + ":'\n" + block).containsKey(required);
        }
        return f;
    }

    private static Map<String, String> decodeQuery(String query) {
        Map<String, String> params = new TreeMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    /** The doc writes CR LF as the four characters {@code \r\n}. */
    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }
}
