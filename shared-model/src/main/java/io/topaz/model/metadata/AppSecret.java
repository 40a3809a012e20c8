package io.topaz.model.metadata;

/**
 * One of an app's signing secrets. An app has one current secret and, after a rotation, the previous one until it is
 * retired, so callers can switch without downtime.
 *
 * @param secret         the secret itself (never logged: see {@link #toString()})
 * @param retireAtMillis when this secret stops being accepted; null for the current secret
 */
public record AppSecret(String secret, Long retireAtMillis) {

    public boolean acceptedAt(long nowMillis) {
        return retireAtMillis == null || nowMillis < retireAtMillis;
    }

    @Override
    public String toString() {
        return "AppSecret[secret=****, retireAtMillis=" + retireAtMillis + "]";
    }
}
