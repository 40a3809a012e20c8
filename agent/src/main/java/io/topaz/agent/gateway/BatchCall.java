package io.topaz.agent.gateway;

import io.netty.handler.codec.http.QueryStringDecoder;
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
 * request order. One sub-call's failure does not touch the others.
 */
final class BatchCall {

    static final String DEFAULT_SEPARATOR = "\r\n-S-\r\n";
    static final String PUBLIC = "#PUBLIC#";

    private BatchCall() {
    }

    /** The joined answer; a single error_response when the batch as a whole fails its checks. */
    static CompletableFuture<Reply> run(GatewayPipeline pipeline, Call batch, String body, String separator,
                                        int maxSubCalls, Supplier<String> ids) {
        batch.batch = true;
        batch.signedBody = body;
        List<String> parts = split(body, separator);
        Map<String, String> shared = new HashMap<>();
        if (!parts.isEmpty() && parts.get(0).startsWith(PUBLIC)) {
            Map<String, String> pub = decode(parts.remove(0).substring(PUBLIC.length()));
            if (pub == null) {
                return done(Reply.of(TopError.of(47, "isv.invalid-encoding", "the #PUBLIC# part is not valid URL "
                        + "encoding"), batch.requestId));
            }
            shared.putAll(pub);
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
            for (String part : parts) {
                String id = ids.get();
                Map<String, String> own = decode(part);
                if (own == null) {
                    answers.add(done(Reply.of(TopError.of(47, "isv.invalid-encoding", "this sub-call is not valid URL "
                            + "encoding"), id)));
                    continue;
                }
                Map<String, String> params = new HashMap<>(batch.params);
                params.remove("sign");
                params.putAll(shared);
                params.putAll(own);
                answers.add(pipeline.handle(Call.subCall(batch, id, params)));
            }
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
                byte[] sep = separator.getBytes(StandardCharsets.UTF_8);
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < answers.size(); i++) {
                    if (i > 0) {
                        out.writeBytes(sep);
                    }
                    out.writeBytes(answers.get(i).join().body());
                }
                return new Reply(out.toByteArray(), null);
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

    /** Null when the part is not valid URL encoding. */
    private static Map<String, String> decode(String query) {
        try {
            Map<String, String> out = new HashMap<>();
            new QueryStringDecoder(query, StandardCharsets.UTF_8, false, 512).parameters()
                    .forEach((k, v) -> out.put(k, v.get(v.size() - 1)));
            return out;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static CompletableFuture<Reply> done(Reply r) {
        return CompletableFuture.completedFuture(r);
    }
}
