package io.topaz.agent.net;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS on the broker port ({@code --broker-tls-cert}, {@code --broker-tls-key}, {@code --broker-tls-trust}): the port
 * serves {@code wss://} and {@code https} ({@code /internal/v1/…}) with {@link #files}, and this agent calls its peers'
 * broker ports over https, trusting the certificates in {@link #trust} (a PEM file of CA or self-signed certificates;
 * by default the broker certificate file itself, which suffices when the agents share one certificate or the file
 * holds the chain up to the CA) and checking that the peer's certificate names the host it registered.
 * Every broker agent of a cluster is configured alike: an agent with TLS speaks only https to its peers.
 */
public record BrokerTls(TlsFiles files, Path trust) {

    public BrokerTls {
        if (files == null) {
            throw new IllegalArgumentException("--broker-tls-cert and --broker-tls-key go together: give both for "
                    + "wss:// and https on the broker port, or neither");
        }
        if (trust == null) {
            trust = files.certificateChain();
        }
    }

    /** The broker port's server context. */
    public SslContext serverContext() {
        return files.serverContext();
    }

    /**
     * The context peers are called with: trusts {@link #trust} only, and verifies the peer's host name.
     *
     * @throws IllegalArgumentException naming the file when it is missing or not PEM certificates
     */
    public SslContext clientContext() {
        if (!Files.isReadable(trust)) {
            throw new IllegalArgumentException("TLS trust file " + trust + " (--broker-tls-trust) does not exist or "
                    + "cannot be read");
        }
        try {
            return SslContextBuilder.forClient().trustManager(trust.toFile()).endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (Exception | Error e) {
            throw new IllegalArgumentException("cannot trust the certificates of " + trust
                    + " (--broker-tls-trust, PEM): " + e.getMessage(), e);
        }
    }
}
