package io.topaz.control.metadata;

import io.topaz.control.release.PublishCheck;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.validation.FieldError;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** At publish: the app a sync target names must exist (apps are metadata, in this database, not config). */
@Component
class SyncTargetAppCheck implements PublishCheck {

    private final AppService apps;

    SyncTargetAppCheck(AppService apps) {
        this.apps = apps;
    }

    @Override
    public List<FieldError> check(ConfigSnapshot draft) {
        Map<String, SyncTarget> targets = draft.syncTargets();
        if (targets.isEmpty()) {
            return List.of();
        }
        Set<String> existing = new TreeSet<>();
        targets.values().stream().map(SyncTarget::appKey).distinct()
                .filter(k -> apps.view(k).isPresent()).forEach(existing::add);
        List<FieldError> errors = new ArrayList<>();
        for (SyncTarget t : targets.values()) {
            if (!existing.contains(t.appKey())) {
                errors.add(new FieldError("sync-targets['" + t.name() + "'].appKey", t.appKey(),
                        "must name an existing app (apps are created with POST /api/v1/apps)"));
            }
        }
        return errors;
    }
}
