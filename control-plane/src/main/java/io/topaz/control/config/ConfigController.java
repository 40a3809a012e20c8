package io.topaz.control.config;

import io.topaz.control.web.ApiException;
import io.topaz.control.web.Versions;
import io.topaz.control.web.JsonBodies;
import io.topaz.control.web.Paging;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.ApiGroup;
import io.topaz.model.config.Assignment;
import io.topaz.model.config.CacheRule;
import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.FlowRule;
import io.topaz.model.config.OverloadRule;
import io.topaz.model.config.QuotaRule;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.Subscription;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.config.Topic;
import io.topaz.model.config.ConfigItem;
import io.topaz.model.config.ConfigKind;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * CRUD on the draft for every config kind: {@code /api/v1/{kind}} and {@code /api/v1/{kind}/{key}}, where kind is
 * one of apis, flow-rules, quota-rules, api-groups, overload-rules, cache-rules, seller-groups, agent-clusters, assignments,
 * topics, subscriptions, sync-targets (apps are metadata:
 * {@code /api/v1/apps}).
 *
 * <p>Every item carries a version (also sent as the ETag). Updates and deletes must name the version they read, in
 * {@code If-Match} or {@code ?version=}; a stale version is refused with 409.
 */
@RestController
@RequestMapping("/api/v1/{kind:apis|flow-rules|quota-rules|api-groups|overload-rules|cache-rules|seller-groups|agent-clusters|assignments|topics|subscriptions|sync-targets}")
class ConfigController {

    private static final int MAX_LIMIT = 1000;

    record ItemPage(String kind, int total, int offset, int limit, List<? extends ConfigItem<?>> items) {
    }

    private final ConfigService service;

    ConfigController(ConfigService service) {
        this.service = service;
    }

    @GetMapping
    ItemPage list(@PathVariable("kind") String kindName,
                  @RequestParam(defaultValue = "0") int offset,
                  @RequestParam(defaultValue = "100") int limit,
                  @RequestParam(required = false) String q) throws Exception {
        Paging.offsetLimit(offset, limit, MAX_LIMIT);
        ConfigKind<?> kind = kind(kindName);
        List<? extends ConfigItem<?>> all = service.list(kind);
        if (q != null && !q.isBlank()) {
            // case-insensitive, in the key or any field's value — not in field names, or "method" would match every API
            String needle = q.toLowerCase(java.util.Locale.ROOT);
            all = all.stream().filter(i -> i.key().toLowerCase(java.util.Locale.ROOT).contains(needle)
                    || ValueSearch.anyValueContains(i.value(), needle)).toList();
        }
        int from = Math.min(offset, all.size());
        int to = Math.min(all.size(), from + limit);
        return new ItemPage(kind.name(), all.size(), offset, limit, all.subList(from, to));
    }

    @GetMapping("/{key}")
    ResponseEntity<ConfigItem<?>> get(@PathVariable("kind") String kindName, @PathVariable String key) throws Exception {
        ConfigKind<?> kind = kind(kindName);
        ConfigItem<?> item = service.get(kind, key).orElseThrow(() ->
                ApiException.notFound(kind.displayName() + " '" + key + "' does not exist in the draft"));
        return withEtag(ResponseEntity.ok(), item);
    }

    @PostMapping
    ResponseEntity<ConfigItem<?>> create(@PathVariable("kind") String kindName,
                                         @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                                                 description = "the entry, of the path's kind (read strictly: unknown fields are refused)",
                                                 content = @Content(mediaType = "application/json", schema = @Schema(oneOf = {
                                                         ApiDefinition.class, FlowRule.class, QuotaRule.class, ApiGroup.class,
                                                         OverloadRule.class, CacheRule.class, SellerGroup.class, AgentCluster.class,
                                                         Assignment.class, Topic.class, Subscription.class, SyncTarget.class})))
                                         @RequestBody(required = false) byte[] body,
                                         Authentication auth) throws Exception {
        ConfigKind<ConfigEntry> kind = kind(kindName);
        ConfigEntry value = JsonBodies.read(body, kind.type(), kind.displayName());
        ConfigItem<?> item = service.create(kind, value, auth.getName());
        return withEtag(ResponseEntity.status(HttpStatus.CREATED), item);
    }

    @PutMapping("/{key}")
    ResponseEntity<ConfigItem<?>> update(@PathVariable("kind") String kindName, @PathVariable String key,
                                         @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                         @RequestParam(required = false) Long version,
                                         @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                                                 description = "the entry, of the path's kind (read strictly: unknown fields are refused)",
                                                 content = @Content(mediaType = "application/json", schema = @Schema(oneOf = {
                                                         ApiDefinition.class, FlowRule.class, QuotaRule.class, ApiGroup.class,
                                                         OverloadRule.class, CacheRule.class, SellerGroup.class, AgentCluster.class,
                                                         Assignment.class, Topic.class, Subscription.class, SyncTarget.class})))
                                         @RequestBody(required = false) byte[] body,
                                         Authentication auth) throws Exception {
        ConfigKind<ConfigEntry> kind = kind(kindName);
        long expected = expectedVersion(ifMatch, version);
        ConfigEntry value = JsonBodies.read(body, kind.type(), kind.displayName());
        ConfigItem<?> item = service.update(kind, key, value, expected, auth.getName());
        return withEtag(ResponseEntity.ok(), item);
    }

    @DeleteMapping("/{key}")
    @ApiResponse(responseCode = "204", description = "deleted from the draft")
    ResponseEntity<Void> delete(@PathVariable("kind") String kindName, @PathVariable String key,
                                @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                @RequestParam(required = false) Long version,
                                Authentication auth) throws Exception {
        ConfigKind<ConfigEntry> kind = kind(kindName);
        service.delete(kind, key, expectedVersion(ifMatch, version), auth.getName());
        return ResponseEntity.noContent().build();
    }

    @SuppressWarnings("unchecked")
    private static ConfigKind<ConfigEntry> kind(String name) {
        return (ConfigKind<ConfigEntry>) ConfigKind.byName(name)
                .orElseThrow(() -> ApiException.notFound("unknown config kind '" + name + "'"));
    }

    static long expectedVersion(String ifMatch, Long version) {
        return Versions.required(ifMatch, version);
    }

    private static ResponseEntity<ConfigItem<?>> withEtag(ResponseEntity.BodyBuilder b, ConfigItem<?> item) {
        return b.eTag("\"" + item.version() + "\"").body(item);
    }
}
