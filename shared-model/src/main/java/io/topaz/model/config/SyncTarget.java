package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An order-sync target (TOP's data push, JDP): an app's own database that the agents keep a live copy of its sellers'
 * orders in ({@code jdp_tb_trade}), for the seller groups listed. The password is not config: it is kept encrypted in
 * the control plane's database and read by the syncing agent through the AGENT-role lookup.
 *
 * @param jdbcUrl           PostgreSQL, MariaDB/MySQL or H2; must not carry a password
 * @param sellerGroups      the {@link SellerGroup}s whose sellers' orders are copied
 * @param maxConnections    the connection budget towards the target, over all agents (default 4)
 * @param mergeWindowMillis changes to one order within this window cost one source read and one target write
 *                          (default 100)
 * @param reconcileSeconds  the reconciliation cycle per seller group (default 30)
 * @param backfillDays      how far back a new target, group or seller is first copied (default 90, as JDP)
 * @param purgeWindow       when rows deleted at the source are purged from the target, {@code HH:mm-HH:mm} UTC
 *                          (default {@code 02:00-05:00}; may wrap midnight)
 */
public record SyncTarget(String name, String appKey, String jdbcUrl, String user, List<String> sellerGroups,
                         Integer maxConnections, Integer mergeWindowMillis, Integer reconcileSeconds,
                         Integer backfillDays, String purgeWindow, String description) implements ConfigEntry {

    public static final Pattern PURGE_WINDOW = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]");
    private static final List<String> URL_PREFIXES = List.of("jdbc:postgresql:", "jdbc:mariadb:", "jdbc:mysql:", "jdbc:h2:");

    public SyncTarget {
        sellerGroups = sellerGroups == null ? List.of() : List.copyOf(sellerGroups);
        maxConnections = maxConnections == null ? 4 : maxConnections;
        mergeWindowMillis = mergeWindowMillis == null ? 100 : mergeWindowMillis;
        reconcileSeconds = reconcileSeconds == null ? 30 : reconcileSeconds;
        backfillDays = backfillDays == null ? 90 : backfillDays;
        purgeWindow = purgeWindow == null || purgeWindow.isEmpty() ? "02:00-05:00" : purgeWindow;
        description = description == null ? "" : description;
    }

    @Override
    public String key() {
        return name;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.identifier("name", name);
        c.appKey("appKey", appKey);
        c.required("jdbcUrl", jdbcUrl);
        if (jdbcUrl != null) {
            c.maxLength("jdbcUrl", jdbcUrl, 1000);
            if (URL_PREFIXES.stream().noneMatch(jdbcUrl::startsWith)) {
                c.fail("jdbcUrl", jdbcUrl, "must start with one of " + URL_PREFIXES);
            }
            if (jdbcUrl.toLowerCase(Locale.ROOT).contains("password")) {
                c.fail("jdbcUrl", "(hidden)", "must not carry a password: set it with PUT /api/v1/sync-targets/"
                        + name + "/password (kept encrypted, never in config)");
            }
        }
        c.required("user", user);
        c.maxLength("user", user, 128);
        c.notEmpty("sellerGroups", sellerGroups);
        c.distinct("sellerGroups", sellerGroups);
        for (int i = 0; i < sellerGroups.size(); i++) {
            c.identifier("sellerGroups[" + i + "]", sellerGroups.get(i));
        }
        c.range("maxConnections", maxConnections, 1, 200);
        c.range("mergeWindowMillis", mergeWindowMillis, 0, 10_000);
        c.range("reconcileSeconds", reconcileSeconds, 1, 3_600);
        c.range("backfillDays", backfillDays, 0, 3_650);
        if (!PURGE_WINDOW.matcher(purgeWindow).matches()) {
            c.fail("purgeWindow", purgeWindow, "must be HH:mm-HH:mm (UTC), e.g. 02:00-05:00");
        }
        c.maxLength("description", description, 500);
        return c.errors();
    }
}
