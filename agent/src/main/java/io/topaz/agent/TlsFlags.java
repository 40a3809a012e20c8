package io.topaz.agent;

import io.topaz.agent.net.BrokerTls;
import io.topaz.agent.net.TlsFiles;

import java.nio.file.Path;
import java.util.Map;

/**
 * The agent's TLS flags: a certificate and a key per port that can serve TLS — the gateway's ({@code --tls-cert},
 * {@code --tls-key}), the admin port's ({@code --admin-tls-…}) and the broker port's ({@code --broker-tls-…}, with
 * {@code --broker-tls-trust} for its peers). Each pair is both or neither; a half pair is refused, naming the flag
 * that was given.
 */
final class TlsFlags {

    private TlsFlags() {
    }

    /** {@code --tls-cert} and {@code --tls-key}: https on the gateway port. */
    static TlsFiles gateway(Map<String, String> values) {
        return pair(values, "", "https on the gateway port");
    }

    /** {@code --admin-tls-cert} and {@code --admin-tls-key}: https on the admin port. */
    static TlsFiles admin(Map<String, String> values) {
        return pair(values, "admin-", "https on the admin port");
    }

    /**
     * {@code --broker-tls-cert} and {@code --broker-tls-key}: {@code wss://} and https on the broker port;
     * {@code --broker-tls-trust} (only with them) the certificates peers must present.
     */
    static BrokerTls broker(Map<String, String> values) {
        TlsFiles files = pair(values, "broker-", "wss:// and https on the broker port");
        String trust = values.get("broker-tls-trust");
        if (files == null) {
            if (trust != null) {
                throw new IllegalArgumentException("--broker-tls-trust needs --broker-tls-cert and --broker-tls-key: "
                        + "peers are called over https only when this agent's broker port serves TLS");
            }
            return null;
        }
        return new BrokerTls(files, trust == null ? null : Path.of(trust));
    }

    /** {@code --<prefix>tls-cert} and {@code --<prefix>tls-key}: both (the files), or neither (null). */
    private static TlsFiles pair(Map<String, String> values, String prefix, String servesWhat) {
        String cert = values.get(prefix + "tls-cert");
        String key = values.get(prefix + "tls-key");
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException("--" + prefix + "tls-cert and --" + prefix + "tls-key go together: "
                    + "give both for " + servesWhat + ", or neither; only --" + prefix
                    + (cert == null ? "tls-key" : "tls-cert") + " was given");
        }
        return new TlsFiles(Path.of(cert), Path.of(key));
    }
}
