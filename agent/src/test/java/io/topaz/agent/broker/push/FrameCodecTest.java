package io.topaz.agent.broker.push;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The push frame codec: frames built byte by byte from the spec decode to what the spec says; the encoder writes
 * exactly those bytes; random frames round-trip; every truncation and arbitrary corruption of a valid frame is refused
 * with close code 1002 or decodes to some frame, never anything else (no out-of-bounds read, no huge allocation).
 */
class FrameCodecTest {

    private static Frame decode(byte[] b) {
        return FrameCodec.decode(Unpooled.wrappedBuffer(b));
    }

    private static byte[] encode(Frame f) {
        ByteBuf buf = FrameCodec.encode(f, UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Example
    void aConnectAsTheJavaClientSendsItDecodes() {
        byte[] bytes = SpecBytes.frame(2, 0)
                .flag(7)
                .stringField("app_key", "12345")
                .stringField("group_name", "default")
                .stringField("timestamp", "1700000000000")
                .stringField("sign", "ABCDEF")
                .int16(1).counted("sdk").int8(1).counted("top-sdk-java")
                .end();
        Frame f = decode(bytes);
        assertThat(f.version()).isEqualTo(2);
        assertThat(f.messageType()).isEqualTo(Frame.CONNECT);
        assertThat(f.flag()).isEqualTo(7);
        assertThat(f.token()).isNull();
        assertThat(f.statusCode()).isNull();
        assertThat(f.fields()).containsExactly(Map.entry("app_key", "12345"), Map.entry("group_name", "default"),
                Map.entry("timestamp", "1700000000000"), Map.entry("sign", "ABCDEF"),
                Map.entry("sdk", "top-sdk-java"));
        // the encoder writes exactly the spec's bytes for the same frame
        assertThat(encode(f)).isEqualTo(bytes);
    }

    @Example
    void everyValueFormatDecodesLittleEndian() {
        byte[] bytes = SpecBytes.frame(1, 2)
                .int16(2).int32(403)
                .int16(3).counted("Forbidden é")
                .token("tok")
                .int16(1).counted("v").int8(0)
                .int16(1).counted("b").int8(2).int8(0xfe)
                .int16(1).counted("s").int8(3).int16(0x1234)
                .int16(1).counted("i").int8(4).int32(0x01020304)
                .int16(1).counted("l").int8(5).int64(0x0102030405060708L)
                .int16(1).counted("d").int8(6).int64(1_700_000_000_123L)
                .int16(1).counted("a").int8(7).int32(3).raw(new byte[]{9, 8, 7})
                .int16(1).counted("n").int8(1).int32(0)
                .end();
        Frame f = decode(bytes);
        assertThat(f.version()).isEqualTo(1);
        assertThat(f.messageType()).isEqualTo(Frame.SEND);
        assertThat(f.statusCode()).isEqualTo(403);
        assertThat(f.statusPhrase()).isEqualTo("Forbidden é");
        assertThat(f.token()).isEqualTo("tok");
        assertThat(f.fields()).containsKey("v");
        assertThat(f.field("v")).isNull();
        assertThat(f.field("b")).isEqualTo((byte) -2);
        assertThat(f.field("s")).isEqualTo((short) 0x1234);
        assertThat(f.field("i")).isEqualTo(0x01020304);
        assertThat(f.field("l")).isEqualTo(0x0102030405060708L);
        assertThat(f.field("d")).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat((byte[]) f.field("a")).containsExactly(9, 8, 7);
        assertThat(f.field("n")).isNull(); // CountedString of length 0 is null
        assertThat(f.number("b")).isEqualTo(-2L);
        assertThat(decode(encode(f)).sameAs(f)).isTrue();
    }

    @Example
    void unknownVersionsTypesHeadersAndFormatsAreProtocolErrors() {
        assertCode(SpecBytes.frame(3, 0).end(), "unknown protocol version 3");
        assertCode(SpecBytes.frame(0, 0).end(), "unknown protocol version 0");
        assertCode(SpecBytes.frame(2, 4).end(), "unknown message type 4");
        assertCode(SpecBytes.frame(2, 0).int16(6).end(), "unknown header type 6");
        assertCode(SpecBytes.frame(2, 0).int16(1).counted("k").int8(8).end(), "unknown value format 8");
        assertCode(SpecBytes.frame(2, 0).int16(1).counted(null).int8(0).end(), "without a name");
        assertCode(SpecBytes.frame(2, 0).int16(1).counted("k").int8(1).int32(-1).end(), "length -1");
        assertCode(SpecBytes.frame(2, 0).int16(1).counted("k").int8(7).int32(Integer.MAX_VALUE).end(), "length");
        assertCode(SpecBytes.frame(2, 0).int16(0).int8(1).bytes(), "after the end of the headers");
        assertCode(SpecBytes.frame(2, 0).bytes(), "truncated");
        assertCode(new byte[0], "truncated");
    }

    private static void assertCode(byte[] bytes, String reason) {
        FrameException e = catchThrowableOfType(FrameException.class, () -> decode(bytes));
        assertThat(e).as("decoding %s", ByteBufUtil.hexDump(bytes)).isNotNull();
        assertThat(e.closeCode()).isEqualTo(FrameException.PROTOCOL_ERROR);
        assertThat(e.getMessage()).contains(reason);
    }

    @Example
    void valuesOfNoFormatAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> new Frame(2, 2, null, null, null, null, Map.of("x", 1.5)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 500)
    void randomFramesRoundTrip(@ForAll("frames") Frame f) {
        Frame back = decode(encode(f));
        assertThat(back.sameAs(f)).as("%s → %s", f, back).isTrue();
    }

    @Property(tries = 300)
    void everyTruncationIsAProtocolError(@ForAll("frames") Frame f) {
        byte[] bytes = encode(f);
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(bytes, n);
            FrameException e = catchThrowableOfType(FrameException.class, () -> decode(cut));
            assertThat(e).as("prefix of %d bytes of %s", n, f).isNotNull();
            assertThat(e.closeCode()).isEqualTo(FrameException.PROTOCOL_ERROR);
        }
    }

    @Property(tries = 500)
    void corruptedFramesDecodeOrAreProtocolErrors(@ForAll("frames") Frame f,
                                                    @ForAll("corruptions") List<int[]> corruptions) {
        byte[] bytes = encode(f);
        for (int[] c : corruptions) {
            bytes[Math.floorMod(c[0], bytes.length)] = (byte) c[1];
        }
        byte[] corrupted = bytes;
        try {
            Frame back = decode(corrupted);
            // bounded by the input: at worst every byte became U+FFFD (3 bytes of UTF-8) when re-encoded
            assertThat(encode(back).length).isLessThanOrEqualTo(3 * corrupted.length);
        } catch (FrameException e) {
            assertThat(e.closeCode()).isEqualTo(FrameException.PROTOCOL_ERROR);
        }
    }

    @Provide
    Arbitrary<List<int[]>> corruptions() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 255))
                .as((at, v) -> new int[]{at, v}).list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<Frame> frames() {
        Arbitrary<String> text = Arbitraries.strings().ofMinLength(1).ofMaxLength(20)
                .withCharRange('a', 'z').withCharRange('\u00e0', '\u00ff').withChars('中', '文');
        Arbitrary<String> strings = Arbitraries.strings().ofMinLength(1).ofMaxLength(30).all()
                .filter(s -> s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
        Arbitrary<Object> values = Arbitraries.oneOf(
                Arbitraries.just(null),
                strings.map(s -> (Object) s),
                Arbitraries.bytes().map(b -> (Object) b),
                Arbitraries.shorts().map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.longs().between(-8_000_000_000_000L, 8_000_000_000_000L)
                        .map(l -> (Object) Instant.ofEpochMilli(l)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(b -> (Object) b));
        Arbitrary<Map<String, Object>> fields = Arbitraries.maps(text, values).ofMaxSize(12)
                .map(LinkedHashMap::new);
        return Combinators.combine(
                Arbitraries.of(1, 2), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().injectNull(0.5), text.injectNull(0.5),
                Arbitraries.integers().injectNull(0.5), text.injectNull(0.5), fields)
                .as(Frame::new);
    }
}
