package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * A QPS limit (TOP's "API access frequency"): per API, per app, or per app per API, enforced per node or cluster-wide.
 */
public record FlowRule(String id, FlowScope scope, String method, String appKey, Integer qps, LimitMode mode)
        implements ConfigEntry {

    public static final int MAX_QPS = 10_000_000;

    public FlowRule {
        mode = mode == null ? LimitMode.SINGLE_NODE : mode;
    }

    @Override
    public String key() {
        return id;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.identifier("id", id);
        c.required("scope", scope);
        if (scope != null) {
            boolean needsMethod = scope == FlowScope.API || scope == FlowScope.APP_API;
            boolean needsApp = scope == FlowScope.APP || scope == FlowScope.APP_API;
            if (needsMethod) {
                c.methodName("method", method);
            } else {
                c.absent("method", method, "must be empty for scope " + scope);
            }
            if (needsApp) {
                c.appKey("appKey", appKey);
            } else {
                c.absent("appKey", appKey, "must be empty for scope " + scope);
            }
        }
        c.range("qps", qps, 1, MAX_QPS);
        return c.errors();
    }
}
