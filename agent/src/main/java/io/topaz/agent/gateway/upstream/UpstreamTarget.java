package io.topaz.agent.gateway.upstream;

import java.net.InetSocketAddress;
import java.net.URI;

/**
 * An upstream instance's URL, taken apart once: the (unresolved) address its pool is keyed by, the {@code Host} header
 * and the request path. The gateway keeps one per configured URL instead of parsing the URL on every call.
 */
public record UpstreamTarget(InetSocketAddress address, String hostAndPort, String path) {

    /** {@code http://host[:port][/path][?query]}; the port defaults to 80 (443 for https). */
    public static UpstreamTarget of(String url) {
        URI uri = URI.create(url);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("upstream URL '" + url + "' has no host; use http://host:port/path");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new UpstreamTarget(InetSocketAddress.createUnresolved(uri.getHost(), port), uri.getHost() + ":" + port,
                path);
    }
}
