package io.topaz.agent.gateway;

import io.netty.util.concurrent.EventExecutor;
import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.UpstreamEndpoint;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.SessionMetadata;
import io.topaz.model.top.SignMethod;

import java.util.List;
import java.util.Map;

/**
 * One API call as it passes the stages: what the protocol stage decoded, what the later stages found. Each stage
 * fills its own fields and reads the earlier ones'. The config snapshot is taken once when the call arrives, so a
 * release applied meanwhile never mixes into a call in flight.
 */
public final class Call {

    final String requestId;
    final long startNanos;
    final ConfigSnapshot config;
    /** The event loop of the caller's connection: the upstream call runs on it, so the answer needs no hand-off. */
    final EventExecutor loop;
    /** Every parameter, system and application, as received (for the signature). */
    Map<String, String> params;
    /** The signed body (batch sub-calls), or null. */
    String signedBody;

    String method;
    String appKey;
    SignMethod signMethod;
    String sign;
    String sessionKey;
    boolean simplify;
    /** The format of the answer (the batch's, for a sub-call); set when the call arrives. */
    ResponseFormat format = ResponseFormat.JSON;
    /** A batch's sub-call: its app was authenticated by the batch's signature, so only the method is read here. */
    boolean subCall;
    /** The batch itself (/router/batch): checked without a method, then split into sub-calls. */
    boolean batch;

    /** The API is built into the agent ({@link BuiltInApis}): no routing, no upstream. */
    boolean builtIn;

    AppMetadata app;
    SessionMetadata session;
    ApiDefinition api;
    UpstreamEndpoint endpoint;
    /** File parameters of a multipart call (not signed; forwarded as file parts). */
    List<FilePart> files = List.of();
    /** Flow control let the call through: it holds an in-flight slot until answered. */
    boolean admitted;
    /**
     * Time from handing each attempt to the upstream client to its outcome, all attempts together. Written by the
     * invocation stage before it completes the call's future, read after it: the future orders the two.
     */
    long upstreamNanos;

    /** A sub-call of a batch whose app, signature and timestamp were checked once for the whole batch. */
    static Call subCall(Call batch, String requestId, Map<String, String> params) {
        Call c = new Call(requestId, batch.startNanos, batch.config, batch.loop, params);
        c.subCall = true;
        c.appKey = batch.appKey;
        c.app = batch.app;
        c.signMethod = batch.signMethod;
        c.format = batch.format;
        return c;
    }

    Call(String requestId, long startNanos, ConfigSnapshot config, EventExecutor loop, Map<String, String> params) {
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.config = config;
        this.loop = loop;
        this.params = params;
    }

    /** The release snapshot taken when the call arrived: every decision of the call reads this one. */
    public ConfigSnapshot config() {
        return config;
    }

    /** The session key given with the call, or null. */
    public String sessionKey() {
        return sessionKey;
    }

    public String requestId() {
        return requestId;
    }

    public String method() {
        return method;
    }

    public String appKey() {
        return appKey;
    }

    public ApiDefinition api() {
        return api;
    }

    public AppMetadata app() {
        return app;
    }

    public SessionMetadata session() {
        return session;
    }

    public Map<String, String> params() {
        return params;
    }
}
