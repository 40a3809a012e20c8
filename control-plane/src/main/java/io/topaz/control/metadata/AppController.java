package io.topaz.control.metadata;

import io.topaz.control.web.Versions;
import io.topaz.model.config.AppStatus;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.util.List;

/**
 * {@code /api/v1/apps}: apps with their secrets. Admins create, disable, enable, rotate secrets and change allowed
 * groups; everyone with a token reads (never a secret). A write may name the version it read in {@code If-Match}; a
 * stale one is refused with 409.
 */
@RestController
@RequestMapping("/api/v1/apps")
class AppController {

    record CreateApp(String appKey, String name, String owner, List<String> allowedApiGroups, AppStatus status) {
    }

    record Groups(List<String> allowedApiGroups) {
    }

    record Rotate(Long graceSeconds) {
    }

    private final AppService apps;
    private final SecretReencryption reencryption;

    AppController(AppService apps, SecretReencryption reencryption) {
        this.apps = apps;
        this.reencryption = reencryption;
    }

    /**
     * Moves every stored secret to the current encryption key (ADMIN; audited): the last step of a key rotation, after
     * every instance runs with the new key current and the old one in {@code topaz.metadata.previous-keys}.
     */
    @PostMapping("/secrets/reencrypt")
    SecretReencryption.Result reencrypt(Authentication auth) {
        return reencryption.run(auth.getName());
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    AppService.AppWithSecret create(@RequestBody CreateApp req, Authentication auth) {
        return apps.create(req.appKey(), req.name(), req.owner(), req.allowedApiGroups(), req.status(), auth.getName());
    }

    @GetMapping
    AppService.Page<AppService.AppView> list(@RequestParam(required = false) String q,
                                             @RequestParam(required = false) String owner,
                                             @RequestParam(required = false) AppStatus status,
                                             @RequestParam(defaultValue = "0") int page,
                                             @RequestParam(defaultValue = "50") int size) {
        return apps.list(q, owner, status, page, size);
    }

    @GetMapping("/{appKey}")
    ResponseEntity<AppService.AppView> get(@PathVariable String appKey) {
        AppService.AppView v = apps.require(appKey);
        return ResponseEntity.ok().eTag("\"" + v.version() + "\"").body(v);
    }

    @PostMapping("/{appKey}/disable")
    AppService.AppView disable(@PathVariable String appKey, @RequestHeader(value = "If-Match", required = false) String ifMatch,
                               Authentication auth) {
        return apps.setStatus(appKey, AppStatus.DISABLED, version(ifMatch), auth.getName());
    }

    @PostMapping("/{appKey}/enable")
    AppService.AppView enable(@PathVariable String appKey, @RequestHeader(value = "If-Match", required = false) String ifMatch,
                              Authentication auth) {
        return apps.setStatus(appKey, AppStatus.ACTIVE, version(ifMatch), auth.getName());
    }

    @PutMapping("/{appKey}/groups")
    AppService.AppView groups(@PathVariable String appKey, @RequestBody Groups req,
                              @RequestHeader(value = "If-Match", required = false) String ifMatch, Authentication auth) {
        return apps.setGroups(appKey, req.allowedApiGroups(), version(ifMatch), auth.getName());
    }

    /** A new secret, shown once; the previous one keeps working for {@code graceSeconds} (default from settings). */
    @PostMapping("/{appKey}/secret")
    AppService.AppWithSecret rotate(@PathVariable String appKey, @RequestBody(required = false) Rotate body,
                                    @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                    Authentication auth) {
        Rotate req = body == null ? new Rotate(null) : body;
        Duration grace = req.graceSeconds() == null ? null : Duration.ofSeconds(req.graceSeconds());
        return apps.rotateSecret(appKey, grace, version(ifMatch), auth.getName());
    }

    /** Stops accepting the previous secret now. */
    @PostMapping("/{appKey}/secret/retire-previous")
    AppService.AppView retirePrevious(@PathVariable String appKey,
                                      @RequestHeader(value = "If-Match", required = false) String ifMatch,
                                      Authentication auth) {
        return apps.retirePreviousSecret(appKey, version(ifMatch), auth.getName());
    }

    private static Long version(String ifMatch) {
        return Versions.optional(ifMatch, null);
    }
}
