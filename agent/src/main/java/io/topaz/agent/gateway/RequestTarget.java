package io.topaz.agent.gateway;

/**
 * A request target split into its path and query string (RFC 9112 §3.2): the usual origin form
 * ({@code /router/rest?…}), and the absolute form ({@code http://host/router/rest?…}, §3.2.2), which a server must
 * accept although clients send it only to proxies — some TOP clients behind a proxy setting send it.
 *
 * @param path  the path, {@code /} when the absolute form has none
 * @param query the text after {@code ?} (up to a {@code #}, which the parameter decoder stops at), or "" when none
 */
record RequestTarget(String path, String query) {

    static RequestTarget of(String uri) {
        int start = 0;
        int scheme = uri.indexOf("://");
        if (scheme > 0 && uri.charAt(0) != '/' && isScheme(uri, scheme)) {
            int slash = uri.indexOf('/', scheme + 3);
            int question = uri.indexOf('?', scheme + 3);
            start = slash < 0 || question >= 0 && question < slash ? -1 : slash;
            if (start < 0) { // "http://host" or "http://host?q": the path is "/"
                return new RequestTarget("/", question < 0 ? "" : uri.substring(question + 1));
            }
        }
        int q = uri.indexOf('?', start);
        int hash = uri.indexOf('#', start);
        int pathEnd = q >= 0 ? q : hash >= 0 ? hash : uri.length();
        return new RequestTarget(uri.substring(start, pathEnd), q < 0 ? "" : uri.substring(q + 1));
    }

    private static boolean isScheme(String uri, int end) {
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }
}
