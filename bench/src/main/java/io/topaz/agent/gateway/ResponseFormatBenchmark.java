package io.topaz.agent.gateway;

import io.topaz.agent.gateway.TopResponses.Reply;
import io.topaz.agent.gateway.upstream.UpstreamResponse;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What answering in XML costs beside JSON, per call, on the gateway's answer path: the upstream's JSON mapped to the
 * TOP answer ({@link TopResponses#map}: for JSON, the wrapper spliced onto the bytes, no parse) and written in the
 * caller's format ({@link ResponseFormat#render}: nothing for JSON, the streaming conversion for XML), and what gzip
 * adds for a caller that accepts it. Two answers: {@code taobao.time.get}'s (40 bytes) and a list of 40 trades
 * (about 3 KB, TOP's {@code "trades":{"trade":[…]}} shape).
 *
 * <p>This is the conversion alone, not an HTTP benchmark: the gateway bench (GatewayBench) measures whole calls.
 *
 * <p>Run: {@code scripts/bench-jmh.sh ResponseFormatBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResponseFormatBenchmark {

    @Param({"time", "trades"})
    public String answer;

    private Call call;
    private UpstreamResponse upstream;

    @Setup
    public void setUp() {
        StringBuilder trades = new StringBuilder("{\"trades\":{\"trade\":[");
        for (int i = 0; i < 40; i++) {
            trades.append(i == 0 ? "" : ",").append("{\"tid\":").append(1000 + i)
                    .append(",\"title\":\"Blue cup & saucer no. ").append(i)
                    .append("\",\"buyer_nick\":\"买家").append(i).append("\",\"payment\":\"12.50\",\"paid\":")
                    .append(i % 2 == 0).append('}');
        }
        trades.append("]},\"total_results\":40}");
        String body = answer.equals("time") ? "{\"time\":\"2026-11-24 12:00:00\"}" : trades.toString();
        upstream = new UpstreamResponse(200, body.getBytes(StandardCharsets.UTF_8));
        call = new Call("3kx9a1b2c3d4e5f", 0, null, null, Map.of());
        call.method = answer.equals("time") ? "taobao.time.get" : "taobao.trades.sold.get";
    }

    @Benchmark
    public byte[] json() {
        return ResponseFormat.JSON.render(TopResponses.map(call, upstream), call.requestId, call.method).body();
    }

    @Benchmark
    public byte[] xml() {
        return ResponseFormat.XML.render(TopResponses.map(call, upstream), call.requestId, call.method).body();
    }

    @Benchmark
    public byte[] jsonGzip() {
        return GzipAnswers.gzip(json());
    }

    @Benchmark
    public byte[] xmlGzip() {
        return GzipAnswers.gzip(xml());
    }

    /** The error answer, as most refused calls get it. */
    @Benchmark
    public byte[] errorXml() {
        Reply r = Reply.of(TopError.of(40, "isv.missing-parameter:num_iid", "the parameter 'num_iid' is missing"),
                call.requestId);
        return ResponseFormat.XML.render(r, call.requestId, call.method).body();
    }

    @Benchmark
    public byte[] errorJson() {
        Reply r = Reply.of(TopError.of(40, "isv.missing-parameter:num_iid", "the parameter 'num_iid' is missing"),
                call.requestId);
        return ResponseFormat.JSON.render(r, call.requestId, call.method).body();
    }
}
