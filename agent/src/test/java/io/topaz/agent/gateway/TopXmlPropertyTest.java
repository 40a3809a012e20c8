package io.topaz.agent.gateway;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TOP's JSON → XML mapping ({@link TopXml}) on random answers: the XML is well-formed, and a parser reads back the
 * tree the mapping promises — the same names, the same string values (control characters, {@code ]]>}, CR, non-BMP
 * characters, lone surrogates included), list wrappers marked.
 */
class TopXmlPropertyTest {

    /** An element as an XML parser reads it back, or as the mapping promises it. */
    record Element(String name, boolean list, String text, List<Element> children) {
    }

    @Property(tries = 400)
    void everyAnswerMapsToWellFormedXmlWithTheSameTree(@ForAll("answers") Object value) throws Exception {
        Map<String, Object> root = Map.of("x_get_response", value);
        byte[] xml = TopXml.fromJson(json(root).getBytes(StandardCharsets.UTF_8));
        assertThat(new String(xml, 0, TopXml.DECLARATION.length, StandardCharsets.UTF_8))
                .isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        assertThat(parse(xml)).isEqualTo(expected("x_get_response", value));
    }

    @Example
    void aListIsItsWrapperMarkedHoldingRepeatedItems() {
        String json = "{\"trades_sold_get_response\":{\"trades\":{\"trade\":[{\"tid\":1,\"paid\":true},"
                + "{\"tid\":2.50,\"title\":\"a & b <c> ]]>\"}]},\"total\":null,\"request_id\":\"r1\"}}";
        assertThat(new String(TopXml.fromJson(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><trades_sold_get_response>"
                        + "<trades list=\"true\"><trade><tid>1</tid><paid>true</paid></trade>"
                        + "<trade><tid>2.50</tid><title>a &amp; b &lt;c&gt; ]]&gt;</title></trade></trades>"
                        + "<request_id>r1</request_id></trades_sold_get_response>");
    }

    @Example
    void namesThatAreNotXmlNamesAreMadeSo() {
        assertThat(TopXml.name("item_get")).isEqualTo("item_get");
        assertThat(TopXml.name("1st")).isEqualTo("_st");
        assertThat(TopXml.name("a b:c")).isEqualTo("a_b_c");
        assertThat(TopXml.name("")).isEqualTo("_");
        assertThat(TopXml.name("名字")).isEqualTo("名字");
    }

    @Example
    void whatIsNotAJsonObjectOfOneObjectIsRefused() {
        for (String bad : List.of("{\"a\": oops}", "[1]", "{\"a\":1}", "{\"a\":{},\"b\":{}}", "{\"a\":{\"b\":[1,2}}")) {
            assertThatThrownBy(() -> TopXml.fromJson(bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad).isInstanceOf(TopXml.NotConvertible.class);
        }
    }

    // ---- generators: JSON values as Java objects (Map, List, String, Number text, Boolean, null) ----

    @Provide
    Arbitrary<Object> answers() {
        return object(3).map(o -> (Object) o);
    }

    private Arbitrary<Map<String, Object>> object(int depth) {
        return Arbitraries.maps(names(), value(depth - 1)).ofMaxSize(5).map(LinkedHashMap::new);
    }

    private Arbitrary<Object> value(int depth) {
        Arbitrary<Object> scalar = Arbitraries.oneOf(strings().map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) new Num(Integer.toString(i))),
                Arbitraries.of("0.5", "-1.25e3", "12345678901234567890").map(n -> (Object) new Num(n)),
                Arbitraries.of(true, false).map(b -> (Object) b), Arbitraries.just((Object) Null.NULL));
        if (depth <= 0) {
            return scalar;
        }
        Arbitrary<Object> list = Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(4).map(l -> (Object) l);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, scalar),
                net.jqwik.api.Tuple.of(2, Arbitraries.lazy(() -> object(depth)).map(m -> (Object) m)),
                net.jqwik.api.Tuple.of(2, list));
    }

    private static Arbitrary<String> names() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz_").ofMinLength(1).ofMaxLength(10),
                // anything (but a lone surrogate, which the JSON parser refuses in a name): must give well-formed XML
                Arbitraries.strings().all().ofMaxLength(6).filter(TopXmlPropertyTest::wellPaired),
                Arbitraries.of("total_results", "名字", "a:b", "1x", "", "\uD83D\uDE00", "xml-ish.name"));
    }

    private static Arbitrary<String> strings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(20),
                Arbitraries.strings().withChars("ab<>&\"']\r\n\t\u0000\u0001\u001f\u007f\u0085\uFFFE\uFFFF")
                        .ofMaxLength(12),
                Arbitraries.of("]]>", "a]]>b", "\uD83D\uDE00 emoji", "\uD800 lone", "tail \uDC00", "\r\n", "中文 ✓"));
    }

    private static boolean wellPaired(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** A number as JSON text. */
    record Num(String text) {
    }

    /** JSON's null. */
    enum Null { NULL }

    // ---- the JSON text (every non-ASCII char escaped, so lone surrogates survive into the parser) ----

    private static String json(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v);
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private static void write(StringBuilder sb, Object v) {
        if (v == Null.NULL) {
            sb.append("null");
        } else if (v instanceof Num n) {
            sb.append(n.text());
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                sb.append(i == 0 ? "" : ",");
                write(sb, l.get(i));
            }
            sb.append(']');
        } else {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                sb.append(first ? "" : ",");
                first = false;
                quote(sb, e.getKey());
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7E) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    // ---- the promised tree ----

    @SuppressWarnings("unchecked")
    private static Element expected(String name, Object v) {
        String n = TopXml.name(name);
        if (v instanceof Map<?, ?> m) {
            List<Element> children = new ArrayList<>();
            boolean list = false;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                if (e.getValue() instanceof List<?> l) {
                    list = true;
                    children.addAll(items(e.getKey(), l));
                } else if (e.getValue() != Null.NULL) {
                    children.add(expected(e.getKey(), e.getValue()));
                }
            }
            return new Element(n, list, "", children);
        }
        String text = v instanceof Num num ? num.text() : v instanceof String s ? xmlSafe(s) : v.toString();
        return new Element(n, false, text, List.of());
    }

    private static List<Element> items(String name, List<?> items) {
        List<Element> out = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof List<?> inner) {
                out.add(new Element(TopXml.name(name), true, "", items(name, inner)));
            } else if (item != Null.NULL) {
                out.add(expected(name, item));
            }
        }
        return out;
    }

    /** What XML 1.0 cannot carry becomes U+FFFD; everything else, CR included, comes back as it was. */
    private static String xmlSafe(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF
                    || Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    // ---- the tree as a namespace-aware XML parser reads it ----

    private static Element parse(byte[] xml) throws XMLStreamException {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XMLStreamReader r = f.createXMLStreamReader(new ByteArrayInputStream(xml));
        assertThat(r.getEncoding()).isEqualToIgnoringCase("UTF-8");
        while (r.next() != XMLStreamConstants.START_ELEMENT) {
            // the prolog
        }
        Element root = element(r);
        while (r.hasNext()) {
            assertThat(r.next()).isIn(XMLStreamConstants.END_DOCUMENT, XMLStreamConstants.SPACE);
        }
        return root;
    }

    /** Reads the element whose start the reader is at, up to its end. */
    private static Element element(XMLStreamReader r) throws XMLStreamException {
        String name = r.getLocalName();
        assertThat(r.getPrefix()).isNullOrEmpty();
        boolean list = "true".equals(r.getAttributeValue(null, "list"));
        StringBuilder text = new StringBuilder();
        List<Element> children = new ArrayList<>();
        while (true) {
            int e = r.next();
            if (e == XMLStreamConstants.START_ELEMENT) {
                children.add(element(r));
            } else if (e == XMLStreamConstants.CHARACTERS || e == XMLStreamConstants.CDATA) {
                text.append(r.getText());
            } else if (e == XMLStreamConstants.END_ELEMENT) {
                return new Element(name, list, text.toString(), children);
            }
        }
    }
}
