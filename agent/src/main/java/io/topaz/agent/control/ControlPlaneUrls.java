package io.topaz.agent.control;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The control planes an agent may ask ({@code --control-url}, comma-separated: {@code http://cp1:9080,http://cp2:9080}),
 * and the fail-over between them. A call goes to the instance that answered last; when that one cannot be reached
 * (connection refused, timeout) or answers 5xx, the call is sent to the next one, and so on once round the list; the
 * first instance that answers otherwise (2xx, but also 4xx — those are the caller's answer, from any instance) becomes
 * the one asked first from then on. When all fail, the last failure is the answer. Shared by the metadata lookups,
 * the message service's permit and group calls and the broker port's token checks. Thread-safe, non-blocking.
 */
public final class ControlPlaneUrls {

    private final List<String> bases;
    private final AtomicInteger current = new AtomicInteger();

    private ControlPlaneUrls(List<String> bases) {
        this.bases = List.copyOf(bases);
    }

    /**
     * Parses {@code --control-url}: one or several http(s) base URLs separated by commas.
     *
     * @throws IllegalArgumentException naming the URL that is not an http(s) URL
     */
    public static ControlPlaneUrls parse(String commaSeparated) {
        return new ControlPlaneUrls(validate(commaSeparated));
    }

    /** The base URLs without trailing slashes, in the order given; each checked to be an http(s) URL with a host. */
    public static List<String> validate(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            throw new IllegalArgumentException("--control-url is empty");
        }
        List<String> out = new ArrayList<>();
        for (String part : commaSeparated.split(",")) {
            String url = part.strip();
            if (url.isEmpty()) {
                continue;
            }
            URI u;
            try {
                u = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--control-url '" + url + "' is not a URL: " + e.getMessage());
            }
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("--control-url '" + url + "' must be an http(s) URL, e.g. "
                        + "http://127.0.0.1:9080 (several control planes: comma-separated)");
            }
            out.add(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--control-url names no URL");
        }
        return out;
    }

    public List<String> all() {
        return bases;
    }

    /** The base URL asked first now: the one that answered last. */
    public String preferred() {
        return bases.get(Math.floorMod(current.get(), bases.size()));
    }

    /**
     * Sends the request {@code build} makes for a base URL to the preferred instance, failing over as described above.
     * The future fails only when every instance failed to answer (with the last failure).
     */
    public CompletableFuture<HttpResponse<byte[]>> send(HttpClient http, Function<String, HttpRequest> build) {
        return attempt(http, build, current.get(), 0);
    }

    private CompletableFuture<HttpResponse<byte[]>> attempt(HttpClient http, Function<String, HttpRequest> build,
                                                            int start, int tried) {
        int index = Math.floorMod(start + tried, bases.size());
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = http.sendAsync(build.apply(bases.get(index)), HttpResponse.BodyHandlers.ofByteArray());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        boolean last = tried + 1 >= bases.size();
        return sent.handle((response, failure) -> {
            boolean bad = failure != null || response.statusCode() >= 500;
            if (!bad) {
                current.set(index);
                return CompletableFuture.completedFuture(response);
            }
            if (last) {
                return failure != null ? CompletableFuture.<HttpResponse<byte[]>>failedFuture(failure)
                        : CompletableFuture.completedFuture(response);
            }
            return attempt(http, build, start, tried + 1);
        }).thenCompose(f -> f);
    }
}
