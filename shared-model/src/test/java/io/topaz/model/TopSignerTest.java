package io.topaz.model;

import io.topaz.model.metadata.KeyFilter;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Expected signatures computed independently (Python's hashlib/hmac) from docs/top-protocol.md's rules. */
class TopSignerTest {

    private static Map<String, String> params() {
        Map<String, String> p = new HashMap<>();
        p.put("method", "taobao.item.get");
        p.put("app_key", "12345678");
        p.put("timestamp", "2026-11-24 12:00:00");
        p.put("v", "2.0");
        p.put("format", "json");
        p.put("num_iid", "520000000");
        p.put("fields", "num_iid,title");
        p.put("empty", "");
        p.put("sign_method", "md5");
        p.put("sign", "ignored");
        return p;
    }

    @Test
    void canonicalStringSortsSkipsEmptyAndSign() {
        assertThat(TopSigner.canonical(params(), null)).isEqualTo(
                "app_key12345678fieldsnum_iid,titleformatjsonmethodtaobao.item.getnum_iid520000000sign_methodmd5"
                        + "timestamp2026-11-24 12:00:00v2.0");
    }

    @Property(tries = 200)
    void aHashMapIsSignedInTheOrderOfATreeMap(@ForAll Map<@StringLength(max = 6) String, @StringLength(max = 6) String> p) {
        assertThat(TopSigner.canonical(new HashMap<>(p), "body")).isEqualTo(TopSigner.canonical(new TreeMap<>(p), "body"));
    }

    @Test
    void knownSignatures() {
        assertThat(TopSigner.sign(params(), null, "helloworld", SignMethod.MD5)).isEqualTo("FFFF75F1E6E5C140ACA0875A159DF828");
        assertThat(TopSigner.sign(params(), null, "helloworld", SignMethod.HMAC)).isEqualTo("DECC4E2A23FDFBAC27274FA7C17997D1");
        assertThat(TopSigner.sign(params(), "BODY", "helloworld", SignMethod.HMAC_SHA256))
                .isEqualTo("17D5F15CC0722DC52A5FCE8287605B926FA7F48319513E662506B033A5C4E217");
    }

    @Test
    void verifyAcceptsLowerCaseAndRejectsWrongSecretLengthOrHex() {
        String sign = TopSigner.sign(params(), null, "helloworld", SignMethod.HMAC);
        assertThat(TopSigner.verify(params(), null, "helloworld", SignMethod.HMAC, sign.toLowerCase())).isTrue();
        assertThat(TopSigner.verify(params(), null, "other", SignMethod.HMAC, sign)).isFalse();
        assertThat(TopSigner.verify(params(), null, "helloworld", SignMethod.HMAC_SHA256, sign)).isFalse();
        assertThat(TopSigner.verify(params(), null, "helloworld", SignMethod.HMAC, "ZZ" + sign.substring(2))).isFalse();
        assertThat(TopSigner.verify(params(), null, "helloworld", SignMethod.HMAC, null)).isFalse();
    }

    @Property(tries = 200)
    void changingAnyValueChangesTheSignature(@ForAll @AlphaChars @StringLength(min = 1, max = 20) String value) {
        Map<String, String> p = params();
        String before = TopSigner.sign(p, null, "s3cret", SignMethod.HMAC_SHA256);
        p.put("num_iid", p.get("num_iid") + value);
        assertThat(TopSigner.verify(p, null, "s3cret", SignMethod.HMAC_SHA256, before)).isFalse();
        assertThat(TopSigner.verify(p, null, "s3cret", SignMethod.HMAC_SHA256,
                TopSigner.sign(p, null, "s3cret", SignMethod.HMAC_SHA256))).isTrue();
    }

    @Test
    void keyFilterRoundTripsAndKeepsItsRate() {
        KeyFilter f = KeyFilter.create(10_000, 0.01);
        for (int i = 0; i < 10_000; i++) {
            f.put("app-" + i);
        }
        KeyFilter copy = KeyFilter.fromBytes(f.toBytes(), f.expectedInsertions(), f.falsePositiveRate());
        for (int i = 0; i < 10_000; i++) {
            assertThat(copy.mightContain("app-" + i)).isTrue();
        }
        int falsePositives = 0;
        for (int i = 0; i < 100_000; i++) {
            if (copy.mightContain(UUID.randomUUID().toString())) {
                falsePositives++;
            }
        }
        assertThat(falsePositives / 100_000.0).isLessThan(0.02);
    }
}
