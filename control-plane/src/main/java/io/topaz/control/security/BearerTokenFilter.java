package io.topaz.control.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Authenticates {@code Authorization: Bearer <token>}. A request without one stays anonymous and is refused by the
 * authorization rules unless it asks for health; a request with an unknown, revoked or expired token is refused at once with 401.
 */
class BearerTokenFilter extends OncePerRequestFilter {

    private final TokenStore tokens;
    private final JsonErrorWriter errors;

    BearerTokenFilter(TokenStore tokens, JsonErrorWriter errors) {
        this.tokens = tokens;
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            chain.doFilter(request, response);
            return;
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            errors.write(response, 401, "Unauthorized", "use 'Authorization: Bearer <token>'");
            return;
        }
        var principal = tokens.authenticate(header.substring(7).trim());
        if (principal.isEmpty()) {
            errors.write(response, 401, "Unauthorized", "the bearer token is unknown, revoked or expired");
            return;
        }
        var auth = new UsernamePasswordAuthenticationToken(principal.get().name(), null,
                AuthorityUtils.createAuthorityList(principal.get().role().authorities()));
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(auth);
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
