package io.topaz.console;

import io.topaz.console.audit.AuditViewModel;
import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.config.ConfigTableViewModel;
import io.topaz.console.config.KindForm;
import io.topaz.console.fleet.FleetViewModel;
import io.topaz.console.messages.MessagesViewModel;
import io.topaz.console.placement.PlacementViewModel;
import io.topaz.console.releases.ReleasesViewModel;
import io.topaz.console.traffic.TrafficViewModel;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main window: which screen is shown, every screen's view-model, the periodic refreshes, and the connection banner.
 * Showing a screen reloads it; when the control plane comes back after being lost, the shown screen reloads too.
 */
public final class MainViewModel {

    private final Session session;
    private final BackgroundWork work;
    private final FleetViewModel fleet;
    private final ReleasesViewModel releases;
    private final AuditViewModel audit;
    private final io.topaz.console.apps.AppsViewModel apps;
    private final TrafficViewModel traffic;
    private final MessagesViewModel messages;
    private final io.topaz.console.sync.SyncViewModel sync;
    private final PlacementViewModel placement;
    private final Map<String, ConfigTableViewModel> config = new LinkedHashMap<>();
    private final List<Screen> screens = new ArrayList<>();
    private final ObjectProperty<Screen> shown = new SimpleObjectProperty<>();
    private final Runnable onSignOut;

    public MainViewModel(Session session, BackgroundWork work, Clock clock, ZoneId zone,
                         Runnable onSignOut) {
        this.session = session;
        this.work = work;
        this.onSignOut = onSignOut;
        this.fleet = new FleetViewModel(session, work);
        this.releases = new ReleasesViewModel(session, work, clock);
        this.audit = new AuditViewModel(session, work, clock, zone);
        this.apps = new io.topaz.console.apps.AppsViewModel(session, work);
        this.traffic = new TrafficViewModel(session, work);
        this.messages = new MessagesViewModel(session, work, zone);
        this.sync = new io.topaz.console.sync.SyncViewModel(session, work, zone);
        this.placement = new PlacementViewModel(session, work, clock, zone);
        screens.add(Screen.FLEET);
        for (KindForm form : KindForm.all()) {
            config.put(form.kind(), new ConfigTableViewModel(form, session, work));
            String section = switch (form.kind()) {
                case "flow-rules", "quota-rules", "api-groups", "overload-rules" -> "Traffic rules";
                case "cache-rules" -> "Caching";
                case "seller-groups", "agent-clusters", "assignments", "sync-targets" -> "Order sync";
                case "topics", "subscriptions" -> "Message service";
                default -> "Config";
            };
            screens.add(new Screen(form.kind(), form.title(), section));
        }
        // the live rates close the traffic-rules section, after the rule kinds themselves
        int lastRuleKind = -1;
        for (int i = 0; i < screens.size(); i++) {
            if (screens.get(i).section().equals(Screen.TRAFFIC.section())) {
                lastRuleKind = i;
            }
        }
        screens.add(lastRuleKind < 0 ? screens.size() : lastRuleKind + 1, Screen.TRAFFIC);
        // the live queues and dead letters close the message-service section, after its config kinds
        int lastMessageKind = -1;
        for (int i = 0; i < screens.size(); i++) {
            if (screens.get(i).section().equals(Screen.MESSAGES.section())) {
                lastMessageKind = i;
            }
        }
        screens.add(lastMessageKind < 0 ? screens.size() : lastMessageKind + 1, Screen.MESSAGES);
        // the sync's live state closes the order-sync section, after its config kinds
        int lastSyncKind = -1;
        for (int i = 0; i < screens.size(); i++) {
            if (screens.get(i).section().equals(Screen.SYNC.section())) {
                lastSyncKind = i;
            }
        }
        screens.add(lastSyncKind < 0 ? screens.size() : lastSyncKind + 1, Screen.SYNC);
        // where each seller group runs, after the sync's live state
        screens.add(screens.indexOf(Screen.SYNC) + 1, Screen.PLACEMENT);
        screens.add(Screen.APPS);
        screens.add(Screen.RELEASES);
        screens.add(Screen.AUDIT);
        shown.addListener((o, a, s) -> reload(s));
        work.connection().addRecoveryListener(() -> reload(shown.get()));
    }

    public Session session() {
        return session;
    }

    /**
     * Navigation order: Fleet, the config kinds (Traffic after the traffic-rule kinds, Messages after the message
     * service's, Sync and Placement after the order sync's), Apps, Releases, Audit log.
     */
    public List<Screen> screens() {
        return Collections.unmodifiableList(screens);
    }

    public ObjectProperty<Screen> shownProperty() {
        return shown;
    }

    public void show(Screen screen) {
        if (screen.equals(shown.get())) {
            reload(screen);
        } else {
            shown.set(screen);
        }
    }

    public Screen screen(String id) {
        return screens.stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no screen '" + id + "'"));
    }

    public FleetViewModel fleet() {
        return fleet;
    }

    public ReleasesViewModel releases() {
        return releases;
    }

    public AuditViewModel audit() {
        return audit;
    }

    public io.topaz.console.apps.AppsViewModel apps() {
        return apps;
    }

    public TrafficViewModel traffic() {
        return traffic;
    }

    public MessagesViewModel messages() {
        return messages;
    }

    public io.topaz.console.sync.SyncViewModel sync() {
        return sync;
    }

    public PlacementViewModel placement() {
        return placement;
    }

    public ConfigTableViewModel config(String kind) {
        ConfigTableViewModel vm = config.get(kind);
        if (vm == null) {
            throw new IllegalArgumentException("no config screen for kind '" + kind + "'");
        }
        return vm;
    }

    public BackgroundWork work() {
        return work;
    }

    private void reload(Screen s) {
        if (s == null) {
            return;
        }
        switch (s.id()) {
            case "fleet" -> fleet.refresh();
            case "releases" -> releases.refresh();
            case "audit" -> audit.search();
            case "apps" -> apps.refresh();
            case "traffic" -> traffic.refresh();
            case "messages" -> messages.refresh();
            case "sync" -> sync.refresh();
            case "placement" -> placement.refresh();
            default -> config(s.id()).refresh();
        }
    }

    /**
     * Every few seconds: the fleet, for its sparklines, whichever screen is shown. While the control plane is lost this
     * is also what finds it back.
     */
    public void pollFleet() {
        fleet.refresh();
    }

    /** Every few seconds: the traffic rates, while the traffic screen is shown (the chart follows them). */
    public void pollTraffic() {
        if (Screen.TRAFFIC.equals(shown.get())) {
            traffic.refresh();
        }
    }

    /** Every few seconds: the message queues (and the shown dead letters), while the Messages screen is shown. */
    public void pollMessages() {
        if (Screen.MESSAGES.equals(shown.get())) {
            messages.refresh();
        }
    }

    /** Every few seconds: the order sync, while the Sync screen is shown. */
    public void pollSync() {
        if (Screen.SYNC.equals(shown.get())) {
            sync.refresh();
        }
    }

    /** Every few seconds: the seller groups' placement, while the Placement screen is shown (handovers show). */
    public void pollPlacement() {
        if (Screen.PLACEMENT.equals(shown.get())) {
            placement.refresh();
        }
    }

    /** Twice a second: a running rollout's progress. */
    public void pollRollout() {
        releases.pollRollout();
    }

    public void signOut() {
        onSignOut.run();
    }
}
