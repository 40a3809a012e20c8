package io.topaz.agent.gateway;

import io.topaz.agent.gateway.TopResponses.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The gateway's pipeline: an explicit, ordered chain of small stages, each one class with one decision. A call passes
 * every stage or stops at the first that answers with a TOP error; the upstream's answer is then mapped to the TOP
 * response.
 *
 * <pre>
 *  HTTP request (/router/rest: GET query, or POST form / multipart)
 *       │ GatewayHandler: decode parameters, request id, config snapshot of this moment
 *       ▼
 *  ┌──────────────┐  method, app_key, v, format, sign_method, sign, timestamp window     21 23 25 28 30–33
 *  │ protocol     │
 *  ├──────────────┤  app exists and is active, signature, session (metadata cache)      25 26 27 29 · 10 isp.
 *  │ security     │
 *  ├──────────────┤  API by method, app's permission for the API group, required params  22 11 40
 *  │ business     │
 *  ├──────────────┤  overload shedding by tier, QPS per API / app / app+API, quota       7 accesscontrol.*
 *  │ flow control │  (io.topaz.agent.traffic; a passed call holds an in-flight slot)
 *  ├──────────────┤  smooth weighted round-robin over healthy instances                   15 isp.no-upstream
 *  │ routing      │
 *  ├──────────────┤  non-blocking HTTP/1.1, pooled keep-alive, per-API timeout,           15 isp.remote-*
 *  │ invocation   │  retry elsewhere only when no connection was made
 *  ├──────────────┤  upstream JSON → {"<name>_response":{…,"request_id"}} or error_response(15, sub_code)
 *  │ response map │
 *  └──────────────┘
 *  A built-in API (BuiltInApis: taobao.tmc.*, group tmc) passes the same checks, skips routing, and is answered by
 *  the agent itself in place of invocation; its result is wrapped like an upstream's.
 *       ▼
 *  HTTP 200 (errors too, as TOP answers them): JSON, or XML converted from it (format=xml or absent); gzip'd
 *  from 1 KiB when the caller accepts it
 * </pre>
 *
 * <p>Every stage completes a future: the synchronous ones at once, the security stage when the metadata cache answers,
 * the invocation when the upstream does. No thread waits. An unexpected failure in a stage becomes code 10
 * {@code isp.internal-error}, logged with the request id; the caller never sees a stack trace.
 */
public final class GatewayPipeline {

    private static final Logger log = LoggerFactory.getLogger(GatewayPipeline.class);

    private final List<Stage> checks;
    private final List<Stage> batchChecks;
    private final InvocationStage invocation;
    private final FlowControlStage flow;
    private final RoutingStage routing;
    private final BuiltInApis builtIns;

    /**
     * @param builtIns the APIs the agent serves itself (the stages given must know them too), or null for none: a
     *                 built-in call skips routing and is answered by {@link BuiltInApis#serve} instead of invocation
     */
    GatewayPipeline(ProtocolStage protocol, SecurityStage security, BusinessStage business, FlowControlStage flow,
                    RoutingStage routing, InvocationStage invocation, BuiltInApis builtIns) {
        this.checks = List.of(protocol, security, business, flow, routing);
        this.flow = flow;
        this.routing = routing;
        this.batchChecks = List.of(protocol, security);
        this.invocation = invocation;
        this.builtIns = builtIns;
    }

    CompletableFuture<Reply> handle(Call call) {
        return guard(call, step(call, 0)).whenComplete((r, e) -> flow.completed(call));
    }

    /**
     * The batch-level checks of {@code /router/batch} (protocol without a method, app and signature over the query
     * and body): completes with null when they pass, else with the error for the whole batch.
     */
    CompletableFuture<TopError> checkBatch(Call batch) {
        return checkBatch(batch, 0);
    }

    private CompletableFuture<TopError> checkBatch(Call batch, int index) {
        if (index == batchChecks.size()) {
            return Stage.PASS;
        }
        return batchChecks.get(index).apply(batch).thenCompose(e -> e != null
                ? CompletableFuture.completedFuture(e) : checkBatch(batch, index + 1));
    }

    private CompletableFuture<Reply> guard(Call call, CompletableFuture<Reply> run) {
        return run.exceptionally(t -> {
            Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            if (c instanceof GatewayException g) {
                return Reply.of(g.error(), call.requestId);
            }
            log.error("request {} ({}): unexpected failure", call.requestId, call.method, c);
            return Reply.of(TopError.of(10, "isp.internal-error", "the platform failed to handle this call; "
                    + "retry later, quoting request_id " + call.requestId), call.requestId);
        });
    }

    private CompletableFuture<Reply> step(Call call, int index) {
        if (index == checks.size()) {
            if (call.builtIn) {
                return builtIns.serve(call).thenApply(a -> a.error() != null ? Reply.of(a.error(), call.requestId)
                        : TopResponses.builtIn(call, a.result()));
            }
            return invocation.invoke(call).thenApply(r -> TopResponses.map(call, r));
        }
        if (call.builtIn && checks.get(index) == routing) {
            return step(call, index + 1); // served here: no upstream to pick
        }
        CompletableFuture<TopError> verdict;
        try {
            verdict = checks.get(index).apply(call);
        } catch (RuntimeException e) {
            verdict = CompletableFuture.failedFuture(e);
        }
        return verdict.thenCompose(error -> error != null
                ? CompletableFuture.completedFuture(Reply.of(error, call.requestId))
                : step(call, index + 1));
    }
}
