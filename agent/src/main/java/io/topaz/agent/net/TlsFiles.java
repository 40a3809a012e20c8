package io.topaz.agent.net;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The certificate and key an agent serves {@code https} with on its gateway port ({@code --tls-cert}, {@code --tls-key}):
 * PEM files, the certificate chain leaf first, the private key unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}; convert
 * an RSA key with {@code openssl pkcs8 -topk8 -nocrypt}). Read once at start; a renewed certificate needs a restart.
 */
public record TlsFiles(Path certificateChain, Path privateKey) {

    public TlsFiles {
        if (certificateChain == null || privateKey == null) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both for https, or neither");
        }
    }

    /**
     * The server context, built by Netty from the files (OpenSSL when netty-tcnative is present, else the JDK's).
     *
     * @throws IllegalArgumentException naming the file and the reason, when a file is missing or unreadable as PEM
     */
    public SslContext serverContext() {
        for (Path p : new Path[] {certificateChain, privateKey}) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("TLS file " + p + " does not exist or cannot be read");
            }
        }
        try {
            return SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile()).build();
        } catch (Exception | Error e) {
            throw new IllegalArgumentException("cannot serve https with certificate " + certificateChain + " and key "
                    + privateKey + " (PEM, the key unencrypted PKCS#8): " + e.getMessage(), e);
        }
    }
}
