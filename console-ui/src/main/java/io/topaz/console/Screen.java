package io.topaz.console;

/**
 * A screen in the navigation. {@code id} is a config kind's REST name for config screens.
 *
 * @param section the navigation heading it sits under
 */
public record Screen(String id, String title, String section) {

    public static final Screen FLEET = new Screen("fleet", "Fleet", "Fleet");
    public static final Screen RELEASES = new Screen("releases", "Releases", "Releases and audit");
    public static final Screen AUDIT = new Screen("audit", "Audit log", "Releases and audit");
    public static final Screen APPS = new Screen("apps", "Apps", "Apps and sellers");
    public static final Screen TRAFFIC = new Screen("traffic", "Traffic", "Traffic rules");
    public static final Screen MESSAGES = new Screen("messages", "Messages", "Message service");
    public static final Screen SYNC = new Screen("sync", "Sync", "Order sync");
    public static final Screen PLACEMENT = new Screen("placement", "Placement", "Order sync");

    public boolean isConfig() {
        return !(equals(FLEET) || equals(RELEASES) || equals(AUDIT) || equals(APPS) || equals(TRAFFIC) || equals(MESSAGES)
                || equals(SYNC) || equals(PLACEMENT));
    }
}
