package io.topaz.control.fleet;

import io.topaz.control.release.ReleaseService;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** {@code GET /api/v1/agents}: the live agents and which of them lag the live release. */
@RestController
class FleetController {

    record Fleet(long liveRelease, int agents, int lagging, List<AgentView> items) {
    }

    private final FleetView fleet;
    private final ReleaseService releases;

    FleetController(FleetView fleet, ReleaseService releases) {
        this.fleet = fleet;
        this.releases = releases;
    }

    @GetMapping("/api/v1/agents")
    Fleet agents(@RequestParam(required = false) String cluster, @RequestParam(required = false) String zone)
            throws Exception {
        long live = releases.liveNumber();
        List<AgentView> views = fleet.agents().stream()
                .filter(a -> cluster == null || cluster.equals(a.cluster()))
                .filter(a -> zone == null || zone.equals(a.zone()))
                .map(a -> AgentView.of(a, live))
                .toList();
        int lagging = (int) views.stream().filter(AgentView::lagging).count();
        return new Fleet(live, views.size(), lagging, views);
    }
}
