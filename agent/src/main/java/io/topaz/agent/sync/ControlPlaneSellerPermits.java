package io.topaz.agent.sync;

import io.topaz.agent.control.ControlPlaneUrls;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.model.json.Json;
import io.topaz.model.metadata.TmcUser;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;

/**
 * {@link SellerPermits} read from the control plane with the agent's AGENT token, failing over between the control
 * planes of {@code --control-url}. A whole list is read in pages of {@link #PAGE}
 * ({@code GET /api/v1/metadata/tmc/apps/{appKey}/permits/sellers?limit=&after=}), so no answer grows with the app's
 * sellers; one seller's permits come from the message service's metadata ({@code TMC_USER}, the agent's metadata
 * cache, which the seller's event has just invalidated). Nothing is kept here: the sync engine keeps each target's
 * list ({@code PermittedSellers}).
 */
public final class ControlPlaneSellerPermits implements SellerPermits {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String PATH = "/api/v1/metadata/tmc/apps/";
    /** Sellers per page of a list read. */
    static final int PAGE = 10_000;

    private final HttpClient http;
    private final ControlPlaneUrls urls;
    private final String token;
    private final LongFunction<CompletableFuture<Optional<TmcUser>>> users;
    private final int page;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param users one seller's permits (the agent's {@code TMC_USER} metadata), by TOP user id
     */
    public ControlPlaneSellerPermits(String controlUrl, String token, Executor executor,
                                     LongFunction<CompletableFuture<Optional<TmcUser>>> users) {
        this(controlUrl, token, executor, users, PAGE);
    }

    ControlPlaneSellerPermits(String controlUrl, String token, Executor executor,
                              LongFunction<CompletableFuture<Optional<TmcUser>>> users, int page) {
        this.urls = ControlPlaneUrls.parse(controlUrl);
        this.token = token;
        this.users = users;
        this.page = page;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(executor).build();
    }

    /** The agent's: its {@code --control-url} and AGENT token, told of changes by {@code metadata}'s events. */
    public static ControlPlaneSellerPermits create(String controlUrl, String token, Executor executor,
                                                  MetadataClient metadata) {
        ControlPlaneSellerPermits p = new ControlPlaneSellerPermits(controlUrl, token, executor,
                id -> metadata.tmcUsers().get(Long.toString(id)));
        metadata.onTmcUserChange(p::changed);
        return p;
    }

    @Override
    public CompletableFuture<List<Seller>> sellers(String appKey) {
        return readFrom(appKey, null, new ArrayList<>()).thenApply(all -> {
            all.sort(Comparator.comparingLong(Seller::userId));
            return all;
        });
    }

    private CompletableFuture<List<Seller>> readFrom(String appKey, String after, List<Seller> into) {
        String path = PATH + URLEncoder.encode(appKey, StandardCharsets.UTF_8).replace("+", "%20")
                + "/permits/sellers?limit=" + page
                + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
        return urls.send(http, base -> HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(TIMEOUT)
                        .header("Authorization", "Bearer " + token)
                        .header("Accept", "application/json")
                        .GET().build())
                .thenCompose(r -> {
                    Page p = answer(appKey, r);
                    into.addAll(p.sellers());
                    if (p.next() == null) {
                        return CompletableFuture.completedFuture(into);
                    }
                    if (after != null && p.next().compareTo(after) <= 0) {
                        throw new CompletionException(new IOException("the sellers who permitted app '" + appKey
                                + "': the control plane's next page (" + p.next() + ") does not advance"));
                    }
                    return readFrom(appKey, p.next(), into);
                });
    }

    @Override
    public CompletableFuture<UserPermits> permitsOf(long userId) {
        return users.apply(userId).thenApply(user -> {
            Map<String, Seller> out = new HashMap<>();
            user.ifPresent(u -> u.permits().forEach(p ->
                    out.put(p.appKey(), new Seller(u.userId(), u.nick(), p.createdAtMillis()))));
            return new UserPermits(user.map(TmcUser::version).orElse(0L), out);
        });
    }

    @Override
    public void onChange(Listener listener) {
        listeners.add(listener);
    }

    /**
     * A {@code TMC_USER} event: {@code userId} is the seller's TOP user id and {@code version} the change's, or null
     * after missed events, when any seller's permits may have changed.
     */
    public void changed(String userId, long version) {
        long id = parse(userId);
        for (Listener l : listeners) {
            if (id > 0) {
                l.seller(id, version);
            } else {
                l.all();
            }
        }
    }

    private static long parse(String userId) {
        try {
            return userId == null ? -1 : Long.parseLong(userId);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One page of a list: its sellers and the {@code after} of the next page (null: the last page). */
    record Page(List<Seller> sellers, String next) {
    }

    static Page answer(String appKey, HttpResponse<byte[]> r) {
        int status = r.statusCode();
        if (status != 200) {
            String hint = status == 401 || status == 403
                    ? " (is --agent-token a control-plane token with the AGENT role?)"
                    : status == 404 ? " (no such app)" : "";
            throw new CompletionException(new IOException("the sellers who permitted app '" + appKey
                    + "': the control plane answered " + status + hint));
        }
        JsonNode body;
        try {
            body = Json.lenient().readTree(r.body());
        } catch (RuntimeException e) {
            body = null;
        }
        JsonNode sellers = body == null ? null : body.get("sellers");
        if (sellers == null || !sellers.isArray()) {
            throw new CompletionException(new IOException("the sellers who permitted app '" + appKey
                    + "': the control plane's answer has no seller list"));
        }
        List<Seller> out = new ArrayList<>(sellers.size());
        for (JsonNode s : sellers) {
            JsonNode id = s.get("userId");
            JsonNode nick = s.get("nick");
            if (id == null || !id.isIntegralNumber() || !id.canConvertToLong() || nick == null || !nick.isString()) {
                continue;
            }
            JsonNode at = s.get("permittedAt");
            out.add(new Seller(id.longValue(), nick.asString(), at == null ? 0 : at.asLong(0)));
        }
        JsonNode next = body.get("next");
        return new Page(out, next == null || !next.isString() || next.asString().isEmpty() ? null : next.asString());
    }
}
