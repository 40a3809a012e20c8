package io.topaz.model.metadata;

import java.util.List;

/**
 * A seller's authorization of an app: the result of the seller approving the app on the authorization page.
 *
 * @param keyHash         SHA-256 of the session key ({@link SessionKeys#hash}); the key itself is stored nowhere
 * @param expiresAtMillis when the session stops being valid
 * @param revoked         revoked by the seller or an operator before it expired
 * @param version         grows with every change of the session
 */
public record SessionMetadata(String keyHash, String appKey, String userId, String userNick, List<String> scopes,
                              long expiresAtMillis, boolean revoked, long version) {

    public SessionMetadata {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
    }

    /** Whether a call for {@code appKey} may use this session now. */
    public boolean validFor(String callingAppKey, long nowMillis) {
        return !revoked && nowMillis < expiresAtMillis && appKey.equals(callingAppKey);
    }
}
