package io.topaz.control.metadata;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * {@code /api/v1/users} (sellers) and {@code /api/v1/sessions}: issuing a session stands in for a seller approving an
 * app on the authorization page. Admins issue (a session key acts for the seller); operators create sellers and revoke
 * sessions; the session key is shown once, at issue.
 */
@RestController
class SessionController {

    record CreateSeller(String userId, String nick) {
    }

    record IssueSession(String appKey, String userId, List<String> scopes, Long expiresInSeconds) {
    }

    private static final long DEFAULT_LIFETIME_SECONDS = 30L * 24 * 3600;

    private final SessionService sessions;

    SessionController(SessionService sessions) {
        this.sessions = sessions;
    }

    @PostMapping("/api/v1/users")
    @ResponseStatus(HttpStatus.CREATED)
    SessionService.Seller createSeller(@RequestBody CreateSeller req, Authentication auth) {
        return sessions.createSeller(req.userId(), req.nick(), auth.getName());
    }

    @GetMapping("/api/v1/users")
    AppService.Page<SessionService.Seller> sellers(@RequestParam(required = false) String q,
                                                   @RequestParam(defaultValue = "0") int page,
                                                   @RequestParam(defaultValue = "50") int size) {
        return sessions.sellers(q, page, size);
    }

    @GetMapping("/api/v1/users/{userId}")
    SessionService.Seller seller(@PathVariable String userId) {
        return sessions.seller(userId);
    }

    @PostMapping("/api/v1/sessions")
    @ResponseStatus(HttpStatus.CREATED)
    SessionService.IssuedSession issue(@RequestBody IssueSession req, Authentication auth) {
        long lifetime = req.expiresInSeconds() == null ? DEFAULT_LIFETIME_SECONDS : req.expiresInSeconds();
        return sessions.issue(req.appKey(), req.userId(), req.scopes(), lifetime, auth.getName());
    }

    @GetMapping("/api/v1/sessions")
    AppService.Page<SessionService.SessionView> list(@RequestParam(required = false) String appKey,
                                                     @RequestParam(required = false) String userId,
                                                     @RequestParam(defaultValue = "0") int page,
                                                     @RequestParam(defaultValue = "50") int size) {
        return sessions.list(appKey, userId, page, size);
    }

    @GetMapping("/api/v1/sessions/{id}")
    SessionService.SessionView get(@PathVariable String id) {
        return sessions.view(id);
    }

    @PostMapping("/api/v1/sessions/{id}/revoke")
    SessionService.SessionView revoke(@PathVariable String id, Authentication auth) {
        return sessions.revoke(id, auth.getName());
    }
}
