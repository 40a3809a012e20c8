package io.topaz.control.release;

import io.topaz.control.web.ApiException;
import io.topaz.control.web.Paging;
import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drafts and releases: {@code GET /api/v1/draft/diff} shows what a publish would change; {@code POST
 * /api/v1/releases} publishes; {@code POST /api/v1/releases/{n}/rollback} republishes release n; the history and each
 * release's content are kept and readable.
 *
 * <p>A publish sends back the {@code draftRevision} of the diff its operator reviewed, in the body
 * ({@code {"message": "...", "draftRevision": 12}}); it is required (400 naming the field when missing) and a draft that
 * moved since is refused with 409 naming the entries changed. A rollback may send it too. Both take an optional
 * {@code Idempotency-Key} header: a repeat with the same key answers the release the first request made (200 instead
 * of 201, header {@code Idempotent-Replayed: true}) without publishing twice.
 */
@RestController
class ReleaseController {

    /** The body of a publish or rollback: why, and the draft revision of the diff reviewed. */
    record PublishRequest(String message, Long draftRevision) {
    }

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";

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
        Paging.offsetLimit(offset, limit, 1000);
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
    ResponseEntity<ReleaseSummary> publish(@RequestBody(required = false) PublishRequest body,
                                           @RequestHeader(value = IDEMPOTENCY_KEY, required = false) String key,
                                           Authentication auth) throws Exception {
        PublishRequest r = request(body);
        return answer(service.publish(r.message(), r.draftRevision(), auth.getName(), key));
    }

    @PostMapping("/api/v1/releases/{number}/rollback")
    ResponseEntity<ReleaseSummary> rollback(@PathVariable long number,
                                            @RequestBody(required = false) PublishRequest body,
                                            @RequestHeader(value = IDEMPOTENCY_KEY, required = false) String key,
                                            Authentication auth) throws Exception {
        PublishRequest r = request(body);
        return answer(service.rollback(number, r.message(), r.draftRevision(), auth.getName(), key));
    }

    /** Publish and rollback read their body alike: a missing body is {@code {}}, i.e. no message and no revision. */
    private static PublishRequest request(PublishRequest body) {
        return body == null ? new PublishRequest(null, null) : body;
    }

    private static ResponseEntity<ReleaseSummary> answer(ReleaseService.Published p) {
        return p.replayed()
                ? ResponseEntity.ok().header(REPLAYED, "true").body(p.release())
                : ResponseEntity.status(HttpStatus.CREATED).body(p.release());
    }
}
