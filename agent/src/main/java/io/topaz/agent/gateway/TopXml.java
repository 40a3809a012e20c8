package io.topaz.agent.gateway;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A TOP answer in XML, converted from its JSON form as TOP maps it, streaming: one pass of a JSON token reader, bytes
 * written as the tokens come, no tree. The mapping (docs/upstream-contract.md, "XML answers"):
 * <ul>
 *   <li>the root object's one property is the root element ({@code <time_get_response>});</li>
 *   <li>an object property is an element holding its properties as elements;</li>
 *   <li>an array property {@code "trade":[a,b]} is the element repeated, {@code <trade>a</trade><trade>b</trade>},
 *       and the element that holds it is marked {@code list="true"} — {@code "trades":{"trade":[…]}} becomes
 *       {@code <trades list="true"><trade>…</trade>…</trades>}; an array inside an array is an element of the same
 *       name marked {@code list="true"} holding the inner items;</li>
 *   <li>strings, numbers (as the upstream wrote them) and booleans are text, escaped; {@code null} is omitted;</li>
 *   <li>characters XML 1.0 cannot carry (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF; a lone surrogate)
 *       become U+FFFD; CR is written {@code &#13;} so that a parser gives it back; a name that is not an XML name
 *       has each character that may not stand where it is replaced by {@code _} ({@link #name}; {@code :} included:
 *       no namespaces).</li>
 * </ul>
 * UTF-8, with an XML declaration.
 */
final class TopXml {

    static final byte[] DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>".getBytes(StandardCharsets.US_ASCII);
    /** The bare token reader: no mapper, no per-call deserialization context. */
    private static final JsonFactory TOKENS = new JsonFactory();
    private static final byte[] LIST = " list=\"true\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AMP = "&amp;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LT = "&lt;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GT = "&gt;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CR = "&#13;".getBytes(StandardCharsets.US_ASCII);

    /** The JSON was not a well-formed object with one property. */
    static final class NotConvertible extends RuntimeException {
        NotConvertible(String message) {
            super(message, null, false, false);
        }
    }

    private byte[] out;
    private int size;
    private final JsonParser json;

    private TopXml(JsonParser json, int capacity) {
        this.json = json;
        this.out = new byte[capacity];
    }

    /**
     * The XML form of a TOP JSON answer ({@code {"<name>":{…}}}).
     *
     * @throws NotConvertible when {@code json} is not a well-formed JSON object of one object-valued property
     */
    static byte[] fromJson(byte[] json) {
        try (JsonParser p = TOKENS.createParser(ObjectReadContext.empty(), json)) {
            TopXml x = new TopXml(p, DECLARATION.length + json.length + json.length / 2 + 64);
            x.raw(DECLARATION);
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.PROPERTY_NAME) {
                throw new NotConvertible("not an object with a property");
            }
            String root = name(p.currentName());
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new NotConvertible("the root property is not an object");
            }
            x.object(root);
            if (p.nextToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new NotConvertible("more than one root property, or content after the object");
            }
            return Arrays.copyOf(x.out, x.size);
        } catch (JacksonException e) {
            throw new NotConvertible("not well-formed JSON: " + e.getOriginalMessage());
        }
    }

    /** The current token is the {@code {} of the element {@code name}'s content. */
    private void object(String name) {
        int tagEnd = open(name);
        boolean list = false;
        JsonToken t;
        while ((t = json.nextToken()) == JsonToken.PROPERTY_NAME) {
            String child = name(json.currentName());
            JsonToken v = json.nextToken();
            if (v == JsonToken.START_ARRAY) {
                if (!list) { // most often the first property: the insert moves nothing
                    insert(tagEnd, LIST);
                    list = true;
                }
                items(child);
            } else {
                value(child, v);
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new NotConvertible("unexpected " + t);
        }
        close(name);
    }

    /** Each item of the array just begun, as an element {@code name}. */
    private void items(String name) {
        JsonToken t;
        while ((t = json.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new NotConvertible("unterminated array");
            }
            if (t == JsonToken.START_ARRAY) {
                int tagEnd = open(name);
                insert(tagEnd, LIST);
                items(name);
                close(name);
            } else {
                value(name, t);
            }
        }
    }

    private void value(String name, JsonToken t) {
        switch (t) {
            case START_OBJECT -> object(name);
            case VALUE_NULL -> {
            }
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                open(name);
                text(json.getStringCharacters(), json.getStringOffset(), json.getStringLength());
                close(name);
            }
            default -> throw new NotConvertible("unexpected " + t);
        }
    }

    /** Writes {@code <name>}; returns the position of its {@code >}. */
    private int open(String name) {
        ensure(name.length() * 3 + 2);
        out[size++] = '<';
        ascii(name);
        out[size] = '>';
        return size++;
    }

    private void close(String name) {
        ensure(name.length() * 3 + 3);
        out[size++] = '<';
        out[size++] = '/';
        ascii(name);
        out[size++] = '>';
    }

    /** A name (already checked to be an XML name) in UTF-8; capacity ensured by the caller. */
    private void ascii(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x80) {
                out[size++] = (byte) c;
            } else {
                byte[] b = name.substring(i).getBytes(StandardCharsets.UTF_8);
                ensure(b.length);
                System.arraycopy(b, 0, out, size, b.length);
                size += b.length;
                return;
            }
        }
    }

    /** Escaped text in UTF-8. Works on locals: the hot loop of the conversion. */
    private void text(char[] chars, int offset, int length) {
        ensure(length * 6);
        byte[] b = out;
        int n = size;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c >= 0x20 && c < 0x80) {
                if (c == '&') {
                    n = put(b, n, AMP);
                } else if (c == '<') {
                    n = put(b, n, LT);
                } else if (c == '>') {
                    n = put(b, n, GT); // "]]>" may not appear in text
                } else {
                    b[n++] = (byte) c;
                }
            } else if (c == '\t' || c == '\n') {
                b[n++] = (byte) c;
            } else if (c == '\r') {
                n = put(b, n, CR); // a raw CR would be read back as LF (XML 1.0 §2.11)
            } else if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
                n = codePoint(b, n, 0xFFFD);
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                n = codePoint(b, n, Character.toCodePoint(c, chars[++i]));
            } else if (Character.isSurrogate(c)) {
                n = codePoint(b, n, 0xFFFD);
            } else {
                n = codePoint(b, n, c);
            }
        }
        size = n;
    }

    private static int put(byte[] b, int n, byte[] what) {
        System.arraycopy(what, 0, b, n, what.length);
        return n + what.length;
    }

    private static int codePoint(byte[] b, int n, int cp) {
        if (cp < 0x800) {
            b[n++] = (byte) (0xC0 | cp >> 6);
            b[n++] = (byte) (0x80 | cp & 0x3F);
        } else if (cp < 0x10000) {
            b[n++] = (byte) (0xE0 | cp >> 12);
            b[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
            b[n++] = (byte) (0x80 | cp & 0x3F);
        } else {
            b[n++] = (byte) (0xF0 | cp >> 18);
            b[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
            b[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
            b[n++] = (byte) (0x80 | cp & 0x3F);
        }
        return n;
    }

    private void raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, out, size, b.length);
        size += b.length;
    }

    private void insert(int at, byte[] b) {
        ensure(b.length);
        System.arraycopy(out, at, out, at + b.length, size - at);
        System.arraycopy(b, 0, out, at, b.length);
        size += b.length;
    }

    private void ensure(int more) {
        if (size + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
        }
    }

    /**
     * {@code name} as an XML name every parser reads: ASCII letters, digits, {@code _ - .} and the CJK ideographs
     * U+4E00–U+9FA5 — names of XML 1.0's fourth edition and its fifth alike (older parsers, Java's among them, refuse
     * the fifth's wider set). Every other character, and a first character that may not start a name, becomes
     * {@code _}; TOP's own names are ASCII and pass unchanged.
     */
    static String name(String name) {
        if (name.isEmpty()) {
            return "_";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(i == 0 ? nameStart(c) : nameChar(c))) {
                return sanitized(name);
            }
        }
        return name;
    }

    private static String sanitized(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            boolean ok = cp <= 0xFFFF && (sb.length() == 0 ? nameStart((char) cp) : nameChar((char) cp));
            sb.append(ok ? (char) cp : '_');
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    private static boolean nameStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x4E00 && c <= 0x9FA5;
    }

    private static boolean nameChar(char c) {
        return nameStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.';
    }
}
