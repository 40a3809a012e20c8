package io.topaz.agent.gateway;

import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.metadata.SignatureCheck;
import io.topaz.agent.metadata.TieredCache;
import io.topaz.model.config.ApiDefinition;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Security: the app exists and is active, the signature matches one of its secrets, and the session — required when
 * the API needs one, checked whenever given — is valid for this app. Metadata comes through the multi-tier cache;
 * when it cannot be had the call fails with 10 and an {@code isp.} sub-code (retry later), never passes unchecked.
 * After a cache miss the pipeline goes on on the call's event loop, not on the thread that loaded the entry.
 */
final class SecurityStage implements Stage {

    private final MetadataClient metadata;
    private final BuiltInApis builtIns;

    SecurityStage(MetadataClient metadata) {
        this(metadata, null);
    }

    /** @param builtIns the APIs the agent serves itself (some need a session), or null for none */
    SecurityStage(MetadataClient metadata, BuiltInApis builtIns) {
        this.metadata = metadata;
        this.builtIns = builtIns;
    }

    @Override
    public CompletableFuture<TopError> apply(Call call) {
        if (call.subCall) {
            return Stage.onCallsLoop(call, session(call).exceptionally(SecurityStage::unavailable));
        }
        return Stage.onCallsLoop(call, metadata.checkSignature(call.appKey, call.params, call.signedBody,
                        call.signMethod, call.sign)
                .thenCompose(check -> {
                    if (!check.ok()) {
                        return CompletableFuture.completedFuture(signatureError(call, check));
                    }
                    call.app = check.app();
                    return call.batch ? PASS : session(call);
                })
                .exceptionally(SecurityStage::unavailable));
    }

    /** The session: required when the API needs one, checked whenever given. */
    private CompletableFuture<TopError> session(Call call) {
        ApiDefinition api = BusinessStage.find(builtIns, call);
        boolean required = api != null && Boolean.TRUE.equals(api.sessionRequired());
        if (call.sessionKey == null) {
            return required
                    ? Stage.fail(26, "isv.missing-parameter:session", "API " + call.method + " needs a session")
                    : PASS;
        }
        return metadata.checkSession(call.appKey, call.sessionKey).thenApply(s -> {
            if (!s.ok()) {
                return TopError.of(27, "isv.invalid-session", "the session is unknown, expired, revoked or was "
                        + "issued to another app");
            }
            call.session = s.session();
            return null;
        });
    }

    private static TopError signatureError(Call call, SignatureCheck check) {
        return switch (check.outcome()) {
            case UNKNOWN_APP -> TopError.of(29, "isv.appkey-not-exists", "no app with key '"
                    + ProtocolStage.truncate(call.appKey) + "'");
            case APP_DISABLED -> TopError.of(29, "isv.app-disabled", "app '" + call.appKey + "' is disabled");
            case INVALID_SIGNATURE -> TopError.of(25, "isv.invalid-signature", "the signature does not match; sign "
                    + "every parameter but sign, sorted by name, with the app's secret and sign_method "
                    + call.signMethod.wireName());
            case OK -> null;
        };
    }

    private static TopError unavailable(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        String why = c instanceof TieredCache.UnavailableException ? "app and session data cannot be read now"
                : "checking the call failed";
        return TopError.of(10, "isp.metadata-unavailable", why + "; retry later");
    }

}
