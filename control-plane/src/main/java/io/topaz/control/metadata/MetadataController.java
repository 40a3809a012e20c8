package io.topaz.control.metadata;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.control.tmc.ConsumerGroupService;
import io.topaz.control.tmc.PermitService;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.KeyFilter;
import io.topaz.model.metadata.MetadataLookup;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Locale;

/**
 * {@code /api/v1/metadata}: what agents read through their caches (tier L3), with an agent token only. One call
 * answers many keys; keys that do not exist are left out, and the agent caches them as misses. The message service's
 * permits and groups are looked up here too; they are changed under {@code /api/v1/metadata/tmc}.
 */
@RestController
@RequestMapping("/api/v1/metadata")
class MetadataController {

    static final int MAX_KEYS = 1_000;

    private final AppService apps;
    private final SessionService sessions;
    private final KeyFilters filters;
    private final PermitService permits;
    private final ConsumerGroupService groups;
    private final Counter lookups;
    private final Counter keys;

    MetadataController(AppService apps, SessionService sessions, KeyFilters filters, PermitService permits,
                       ConsumerGroupService groups, MeterRegistry registry) {
        this.apps = apps;
        this.permits = permits;
        this.groups = groups;
        this.sessions = sessions;
        this.filters = filters;
        this.lookups = Counter.builder("topaz.metadata.lookups").description("agents' batch lookups").register(registry);
        this.keys = Counter.builder("topaz.metadata.lookup.keys").description("keys asked for in batch lookups")
                .register(registry);
    }

    @PostMapping("/lookup")
    MetadataLookup.Response lookup(@RequestBody MetadataLookup.Request req) {
        int n = req.size();
        if (n > MAX_KEYS) {
            throw ApiException.badRequest("a lookup may ask for at most " + MAX_KEYS + " keys, asked for " + n);
        }
        lookups.increment();
        keys.increment(n);
        return new MetadataLookup.Response(apps.metadata(req.apps()), sessions.metadata(req.sessions()),
                permits.metadata(req.tmcUsers()), groups.metadata(req.tmcGroups()),
                permits.userIdsByNick(req.tmcNicks()));
    }

    /** The Bloom filter of existing keys of a kind ({@code app} or {@code session}), in Guava's serial form. */
    @GetMapping(value = "/filters/{kind}", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<byte[]> filter(@PathVariable String kind, @RequestParam(defaultValue = "0.01") double fpp) {
        MetadataKind k;
        try {
            k = MetadataKind.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            k = null;
        }
        if (k == null || !k.filtered()) {
            throw ApiException.notFound("no key filter for '" + kind + "'; use app or session");
        }
        if (!(fpp > 0 && fpp <= 0.5)) {
            throw ApiException.badRequest("fpp must be above 0 and at most 0.5, was " + fpp);
        }
        KeyFilter f = filters.filter(k, fpp);
        return ResponseEntity.ok()
                .header("X-Topaz-Expected-Insertions", Long.toString(f.expectedInsertions()))
                .header("X-Topaz-Fpp", Double.toString(f.falsePositiveRate()))
                .body(f.toBytes());
    }
}
