package io.topaz.agent.gateway;

import io.netty.handler.codec.http.QueryStringDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The hot path's parameter decoding, before and after the gateway read parameters itself (strict UTF-8, {@code ;}
 * an ordinary character): {@link FormParameters#decodeQuery} against Netty's {@code QueryStringDecoder} as the
 * gateway used it, both filling the call's map, on a typical signed {@code taobao.item.get} query (one escaped
 * space, one escaped CJK value).
 *
 * <p>Run: {@code scripts/bench-jmh.sh ParameterDecodeBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ParameterDecodeBenchmark {

    private static final String URI = "/router/rest?app_key=demo-app&fields=num_iid%2Ctitle%2Cprice&format=json"
            + "&method=taobao.item.get&num_iid=123456789&sign=5F1C0E6B8B2A4D9E0F3A7C1D2E4B6A8C&sign_method=hmac"
            + "&timestamp=2026-12-06%2011%3A30%3A00&title=%E8%93%9D%E8%89%B2%E6%9D%AF%E5%AD%90&v=2.0";
    private static final String QUERY = URI.substring(URI.indexOf('?') + 1);

    @Benchmark
    public Map<String, String> formParameters() {
        Map<String, String> params = new HashMap<>();
        FormParameters.decodeQuery(QUERY, params, 512);
        return params;
    }

    @Benchmark
    public Map<String, String> nettyQueryStringDecoder() {
        Map<String, String> params = new HashMap<>();
        for (Map.Entry<String, List<String>> e : new QueryStringDecoder(URI, StandardCharsets.UTF_8, true, 513)
                .parameters().entrySet()) {
            params.putIfAbsent(e.getKey(), e.getValue().get(0));
        }
        return params;
    }
}
