package io.topaz.console;

/**
 * A screen in the navigation. {@code id} is a config kind's REST name for config screens.
 *
 * @param section the navigation heading it sits under
 */
public record Screen(String id, String title, String section) {

    public static final Screen FLEET = new Screen("fleet", "Fleet", "Operate");
    public static final Screen RELEASES = new Screen("releases", "Releases", "Operate");
    public static final Screen AUDIT = new Screen("audit", "Audit log", "Operate");

    public boolean isConfig() {
        return !(equals(FLEET) || equals(RELEASES) || equals(AUDIT));
    }
}
