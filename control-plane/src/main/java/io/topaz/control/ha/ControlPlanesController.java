package io.topaz.control.ha;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** {@code GET /api/v1/control-planes}: the running control planes, which one leads, and which one answered. Viewers. */
@RestController
@Tag(name = "Control planes", description = "The control-plane instances sharing this platform and their leader")
class ControlPlanesController {

    /** One instance: its {@code topaz.ha.instance-id}, advertised URL and whether it leads. */
    record ControlPlane(String id, String url, boolean leader) {
    }

    /** {@code self}: the instance that answered; {@code leader}: the leading instance's id, null while none leads. */
    record ControlPlanes(String self, String leader, List<ControlPlane> instances) {
    }

    private final Leadership leadership;

    ControlPlanesController(Leadership leadership) {
        this.leadership = leadership;
    }

    @GetMapping("/api/v1/control-planes")
    @Operation(summary = "The control planes and their leader",
            description = "Every control plane in the leader election (one per running instance on this ZooKeeper "
                    + "root), its advertised URL and whether it leads: the leader runs the singletons (traffic "
                    + "polling, metadata event pruning, the audit outbox sweep).")
    ControlPlanes list() {
        Leadership.Instance self = leadership.self();
        List<ControlPlane> all = leadership.participants().stream().map(p -> {
            Leadership.Instance i = Leadership.Instance.parse(p.getId());
            return new ControlPlane(i.id(), i.url(), p.isLeader());
        }).toList();
        return new ControlPlanes(self == null ? null : self.id(),
                leadership.leader().map(Leadership.Instance::id).orElse(null), all);
    }
}
