package io.topaz.control.release;

import io.topaz.control.web.ApiException;
import io.topaz.control.web.JsonBodies;
import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drafts and releases: {@code GET /api/v1/draft/diff} shows what a publish would change; {@code POST
 * /api/v1/releases} publishes; {@code POST /api/v1/releases/{n}/rollback} republishes release n; the history and each
 * release's content are kept and readable.
 */
@RestController
class ReleaseController {

    record PublishRequest(String message) {
    }

    record ReleaseContent(ReleaseSummary release, Map<String, Collection<? extends ConfigEntry>> items) {
    }

    private final ReleaseService service;

    ReleaseController(ReleaseService service) {
        this.service = service;
    }

    @GetMapping("/api/v1/draft/diff")
    DraftDiff diff() throws Exception {
        return service.diff();
    }

    @GetMapping("/api/v1/releases")
    List<ReleaseSummary> history(@RequestParam(defaultValue = "0") int offset,
                                 @RequestParam(defaultValue = "50") int limit) throws Exception {
        if (offset < 0 || limit < 1 || limit > 1000) {
            throw ApiException.badRequest("offset must be >= 0 and limit between 1 and 1000, were " + offset + " and " + limit);
        }
        return service.history(offset, limit);
    }

    @GetMapping("/api/v1/releases/live")
    ReleaseSummary live() throws Exception {
        long live = service.liveNumber();
        if (live == 0) {
            throw ApiException.notFound("nothing has been published yet");
        }
        return ReleaseSummary.of(service.manifest(live), live);
    }

    @GetMapping("/api/v1/releases/{number}")
    ReleaseContent release(@PathVariable long number) throws Exception {
        ConfigSnapshot content = service.content(number);
        Map<String, Collection<? extends ConfigEntry>> items = new LinkedHashMap<>();
        for (ConfigKind<?> kind : ConfigKind.all()) {
            items.put(kind.name(), content.items(kind).values());
        }
        return new ReleaseContent(ReleaseSummary.of(service.manifest(number), service.liveNumber()), items);
    }

    @PostMapping("/api/v1/releases")
    @ResponseStatus(HttpStatus.CREATED)
    ReleaseSummary publish(@RequestBody(required = false) byte[] body, Authentication auth) throws Exception {
        return service.publish(message(body, "publish request"), auth.getName());
    }

    @PostMapping("/api/v1/releases/{number}/rollback")
    @ResponseStatus(HttpStatus.CREATED)
    ReleaseSummary rollback(@PathVariable long number, @RequestBody(required = false) byte[] body, Authentication auth)
            throws Exception {
        return service.rollback(number, message(body, "rollback request"), auth.getName());
    }

    /** Publish and rollback read their body alike: a missing body is {@code {}}, i.e. no message. */
    private static String message(byte[] body, String subject) {
        return body == null || body.length == 0 ? null : JsonBodies.read(body, PublishRequest.class, subject).message();
    }
}
