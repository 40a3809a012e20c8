package io.topaz.agent.gateway;

import io.topaz.agent.gateway.TopResponses.Reply;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code /router/batch}: the shared system parameters and the signature are in the query string, the sub-calls in
 * the body, joined by the separator ({@code \r\n-S-\r\n} or the {@code top-api-separator} header), an optional first
 * {@code #PUBLIC#} part carrying parameters shared by all. The batch is checked once (app, signature over query and
 * body, timestamp); then every sub-call runs its own API-level stages at the same time, and the answers are joined in
 * request order, each in the batch's format. One sub-call's failure (a malformed or duplicated parameter included)
 * does not touch the others.
 */
final class BatchCall {

    static final String DEFAULT_SEPARATOR = "\r\n-S-\r\n";
    static final String PUBLIC = "#PUBLIC#";
    private static final int MAX_PART_PARAMETERS = 512;

    private BatchCall() {
    }

    /** The joined answer; a single error_response when the batch as a whole fails its checks. */
    static CompletableFuture<Reply> run(GatewayPipeline pipeline, Call batch, String body, String separator,
                                        int maxSubCalls, Supplier<String> requestIds) {
        batch.batch = true;
        batch.signedBody = body;
        List<String> parts = split(body, separator);
        Map<String, String> shared = new HashMap<>();
        if (!parts.isEmpty() && parts.get(0).startsWith(PUBLIC)) {
            TopError bad = decode(parts.remove(0).substring(PUBLIC.length()), shared);
            if (bad != null) {
                return done(Reply.of(bad, batch.requestId));
            }
        }
        if (parts.isEmpty()) {
            return done(Reply.of(TopError.of(40, "isv.missing-parameter:sub-calls", "the batch has no sub-calls"),
                    batch.requestId));
        }
        if (parts.size() > maxSubCalls) {
            return done(Reply.of(TopError.of(41, "isv.too-many-sub-calls", "at most " + maxSubCalls
                    + " sub-calls per batch, got " + parts.size()), batch.requestId));
        }
        return pipeline.checkBatch(batch).thenCompose(error -> {
            if (error != null) {
                return done(Reply.of(error, batch.requestId));
            }
            List<CompletableFuture<Reply>> answers = new ArrayList<>(parts.size());
            List<String> ids = new ArrayList<>(parts.size());
            List<String> methods = new ArrayList<>(parts.size());
            for (String part : parts) {
                String id = requestIds.get();
                ids.add(id);
                methods.add(null);
                Map<String, String> own = new HashMap<>();
                TopError bad = decode(part, own);
                if (bad != null) { // this sub-call only: the others run
                    answers.add(done(Reply.of(bad, id)));
                    continue;
                }
                Map<String, String> params = new HashMap<>(batch.params);
                params.remove("sign");
                params.putAll(shared);
                params.putAll(own);
                methods.set(methods.size() - 1, params.get("method"));
                answers.add(pipeline.handle(Call.subCall(batch, id, params)));
            }
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
                byte[] sep = separator.getBytes(StandardCharsets.UTF_8);
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < answers.size(); i++) {
                    if (i > 0) {
                        out.writeBytes(sep);
                    }
                    out.writeBytes(batch.format.render(answers.get(i).join(), ids.get(i), methods.get(i)).body());
                }
                return new Reply(out.toByteArray(), null, true);
            });
        });
    }

    static List<String> split(String body, String separator) {
        List<String> parts = new ArrayList<>();
        int from = 0;
        while (true) {
            int at = body.indexOf(separator, from);
            String part = at < 0 ? body.substring(from) : body.substring(from, at);
            if (!part.isBlank()) {
                parts.add(part.strip());
            }
            if (at < 0) {
                return parts;
            }
            from = at + separator.length();
        }
    }

    /** A part's parameters into {@code into}; the error (47, 43, 41) when the part is malformed, else null. */
    private static TopError decode(String query, Map<String, String> into) {
        return FormParameters.decode(query.getBytes(StandardCharsets.UTF_8), into, MAX_PART_PARAMETERS);
    }

    private static CompletableFuture<Reply> done(Reply r) {
        return CompletableFuture.completedFuture(r);
    }
}
