package io.topaz.agent.tmc;

import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.gateway.Call;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Reading the methods' application parameters; a malformed one is code 41 {@code isv.invalid-parameter:<name>}. */
final class TmcParams {

    /** A consumer group's name: the control plane's rule (docs/tmc-protocol.md, "Groups"). */
    static final Pattern GROUP = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

    private TmcParams() {
    }

    /** The parameter's value, or null when absent or empty. */
    static String opt(Call call, String name) {
        String v = call.params().get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    static int integer(Call call, String name, int absent, int min, int max) {
        String v = opt(call, name);
        if (v == null) {
            return absent;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw TmcFailure.invalid(name, name + " must be a whole number from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw TmcFailure.invalid(name, name + " must be from " + min + " to " + max + ", was " + n);
        }
        return (int) n;
    }

    /** The non-empty items of a comma-separated list, trimmed. */
    static List<String> csv(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String s : value.split(",")) {
            String t = s.trim();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Message ids, comma-separated: each a whole number from 1 to 2^53-1, at most {@code max}. */
    static long[] messageIds(Call call, String name, int max) {
        List<String> items = csv(opt(call, name));
        if (items.size() > max) {
            throw TmcFailure.invalid(name, name + " may list at most " + max + " ids, listed " + items.size());
        }
        long[] ids = new long[items.size()];
        for (int i = 0; i < ids.length; i++) {
            long id;
            try {
                id = Long.parseLong(items.get(i));
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (id <= 0 || id > BrokerMessage.MAX_ID) {
                throw TmcFailure.invalid(name, name + " must be message ids (whole numbers from 1 to 2^53-1) "
                        + "separated by commas; '" + abbreviate(items.get(i)) + "' is not one");
            }
            ids[i] = id;
        }
        return ids;
    }

    /** {@code group_name}: absent is {@code default}; otherwise the control plane's rule for group names. */
    static String group(Call call) {
        String g = opt(call, "group_name");
        if (g == null) {
            return io.topaz.model.metadata.TmcUser.DEFAULT_GROUP;
        }
        if (!GROUP.matcher(g).matches()) {
            throw TmcFailure.invalid("group_name", "group_name must be 1 to 32 letters, digits, '.', '-' or '_', "
                    + "starting with a letter or digit");
        }
        return g;
    }

    /** {@code user_platform}: TOP's sellers are {@code tbUIC}, the only platform Topaz has. */
    static void userPlatform(Call call) {
        String p = opt(call, "user_platform");
        if (p != null && !"tbUIC".equals(p)) {
            throw TmcFailure.invalid("user_platform", "user_platform must be tbUIC (the default), was '"
                    + abbreviate(p) + "'");
        }
    }

    static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
