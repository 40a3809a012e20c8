package io.topaz.agent.broker.push;

import io.topaz.agent.broker.QueueName;
import io.topaz.agent.metadata.TieredCache;
import io.topaz.agent.tmc.TmcApis;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.Subscription;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * The checks of a CONNECT (docs/tmc-protocol.md, "Connecting"): the fields' formats and the timestamp window at
 * once, then — through the agent's metadata cache, asynchronously — the signature against the app's accepted
 * secrets, the app's state and API group, its subscription, and the consumer group. Stateless: one per server.
 */
final class Handshake {

    private static final Logger log = LoggerFactory.getLogger(Handshake.class);
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");
    private static final Pattern MILLIS = Pattern.compile("[0-9]{1,18}");

    /** Why a CONNECT is refused: the CONNECTACK's status and phrase. */
    record Refusal(int status, String phrase) {
    }

    /** A CONNECT's verdict: the queue it may consume, or why not. */
    record Verdict(QueueName queue, Refusal refusal) {
    }

    private final PushServer server;

    Handshake(PushServer server) {
        this.server = server;
    }

    /** Never fails: a check that cannot be made is a 503 refusal. Completes on any thread. */
    CompletableFuture<Verdict> check(Frame f) {
        String appKey = f.string("app_key");
        String group = f.string("group_name");
        String timestamp = f.string("timestamp");
        String sign = f.string("sign");
        Refusal refused = null;
        if (appKey == null || group == null || timestamp == null || sign == null) {
            refused = new Refusal(400, "CONNECT needs the string fields app_key, group_name, timestamp and sign");
        } else if (!GROUP.matcher(group).matches()) {
            refused = new Refusal(400, "group_name must be 1 to 32 letters, digits, '.', '-' or '_'");
        } else if (!MILLIS.matcher(timestamp).matches()) {
            refused = new Refusal(400, "timestamp must be epoch milliseconds, as a string");
        } else {
            long skew = Math.abs(server.clock().millis() - Long.parseLong(timestamp));
            if (skew > server.settings().timestampWindow().toMillis()) {
                refused = new Refusal(401, "timestamp is " + skew / 1000 + " s from the server's clock; at most "
                        + server.settings().timestampWindow().toSeconds() + " s are accepted");
            }
        }
        if (refused != null) {
            return CompletableFuture.completedFuture(new Verdict(null, refused));
        }
        CompletableFuture<Refusal> verdict;
        try {
            verdict = checkApp(appKey, group, timestamp, sign);
        } catch (RuntimeException e) {
            verdict = CompletableFuture.failedFuture(e);
        }
        return verdict.handle((r, err) -> err != null ? new Verdict(null, unavailable(err))
                : r != null ? new Verdict(null, r) : new Verdict(new QueueName(appKey, group), null));
    }

    /** Null when the app may consume the group's queue. */
    private CompletableFuture<Refusal> checkApp(String appKey, String group, String timestamp, String sign) {
        return server.metadata().apps().get(appKey).thenCompose(found -> {
            if (found.isEmpty()) {
                return done(new Refusal(401, "unknown app key '" + abbreviate(appKey) + "'"));
            }
            AppMetadata app = found.get();
            Map<String, String> signed = new TreeMap<>();
            signed.put("app_key", appKey);
            signed.put("group_name", group);
            signed.put("timestamp", timestamp);
            boolean ok = false;
            for (String secret : app.secretsAcceptedAt(server.clock().millis())) {
                ok |= TopSigner.verify(signed, null, secret, SignMethod.MD5, sign);
            }
            if (!ok) {
                return done(new Refusal(401, "bad signature: sign = upper(hex(md5(secret + \"app_key\" + app_key + "
                        + "\"group_name\" + group_name + \"timestamp\" + timestamp + secret)))"));
            }
            if (!app.active()) {
                return done(new Refusal(403, "app '" + appKey + "' is disabled"));
            }
            if (!app.mayCall(TmcApis.GROUP)) {
                return done(new Refusal(403, "app '" + appKey + "' is not permitted the API group '"
                        + TmcApis.GROUP + "'"));
            }
            ConfigSnapshot config = server.config();
            Subscription sub = config.subscriptions().get(appKey);
            if (sub == null || sub.topics().isEmpty()) {
                return done(new Refusal(403, "app '" + appKey + "' subscribes to no topic"));
            }
            if (TmcUser.DEFAULT_GROUP.equals(group)) {
                return done(null);
            }
            return server.metadata().tmcGroups().get(appKey).thenApply(g ->
                    g.map(TmcGroups::groups).orElse(List.of()).contains(group) ? null
                            : new Refusal(403, "app '" + appKey + "' has no consumer group '" + group
                            + "' (create it with taobao.tmc.group.add)"));
        });
    }

    private static Refusal unavailable(Throwable err) {
        Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (!(c instanceof TieredCache.UnavailableException)) {
            log.warn("checking a push CONNECT failed", c);
        }
        return new Refusal(503, "app data cannot be read now; retry later");
    }

    private static CompletableFuture<Refusal> done(Refusal r) {
        return CompletableFuture.completedFuture(r);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
