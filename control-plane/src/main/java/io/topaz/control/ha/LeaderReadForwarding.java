package io.topaz.control.ha;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The traffic rates ({@code GET /api/v1/traffic/**}) live in the memory of the leader, the one instance that polls the
 * agents; a follower answers them by asking the leader (at its advertised URL, with the caller's own token), so a
 * console behind a load balancer sees the same rates whichever instance it reaches. Runs after authentication: the
 * caller is checked here and again by the leader. A request already forwarded is never forwarded again (no loop while
 * leadership moves); when the leader cannot be reached, this instance answers from what it has (empty rates until it
 * leads and polls itself).
 */
@Component
class LeaderReadForwarding extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(LeaderReadForwarding.class);
    static final String FORWARDED = "X-Topaz-Forwarded-By";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Leadership leadership;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    LeaderReadForwarding(Leadership leadership) {
        this.leadership = leadership;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"GET".equals(request.getMethod()) || !request.getRequestURI().startsWith("/api/v1/traffic/")
                || request.getHeader(FORWARDED) != null || request.getHeader("Authorization") == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<Leadership.Instance> leader = leadership.isLeader() ? Optional.empty() : leadership.leader();
        Leadership.Instance self = leadership.self();
        if (leader.isEmpty() || leader.get().url() == null || self == null || leader.get().id().equals(self.id())) {
            chain.doFilter(request, response);
            return;
        }
        String query = request.getQueryString();
        URI target = URI.create(leader.get().url() + request.getRequestURI() + (query == null ? "" : "?" + query));
        HttpResponse<byte[]> answer;
        try {
            answer = http.send(HttpRequest.newBuilder(target).timeout(TIMEOUT)
                    .header("Authorization", request.getHeader("Authorization"))
                    .header(FORWARDED, self.id())
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            chain.doFilter(request, response);
            return;
        } catch (IOException e) {
            log.warn("the leader '{}' at {} did not answer a traffic read ({}); answering from this instance",
                    leader.get().id(), leader.get().url(), e.toString());
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(answer.statusCode());
        answer.headers().firstValue("Content-Type").ifPresent(response::setContentType);
        response.getOutputStream().write(answer.body());
    }
}
