package io.topaz.model.validation;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Collects broken rules for one entry. Every check records the field, the value and the rule, and never stops at the
 * first failure, so an operator sees every problem at once.
 */
public final class Checks {

    /** TOP method names: dotted lowercase segments, e.g. {@code taobao.trade.fullinfo.get}. */
    public static final Pattern METHOD = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+");
    /** Names of groups, rules, clusters, zones: letters, digits, dot, dash and underscore. */
    public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    public static final Pattern APP_KEY = Pattern.compile("[A-Za-z0-9_-]+");
    public static final Pattern PARAMETER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
    private static final int MAX_NAME = 128;

    private final List<FieldError> errors = new ArrayList<>();

    public List<FieldError> errors() {
        return List.copyOf(errors);
    }

    public void fail(String field, Object value, String rule) {
        errors.add(new FieldError(field, value == null ? null : String.valueOf(value), rule));
    }

    public void add(List<FieldError> more) {
        errors.addAll(more);
    }

    public void required(String field, Object value) {
        if (value == null) {
            fail(field, null, "is required");
        }
    }

    public void absent(String field, String value, String rule) {
        if (value != null && !value.isEmpty()) {
            fail(field, value, rule);
        }
    }

    public void maxLength(String field, String value, int max) {
        if (value != null && value.length() > max) {
            fail(field, value.length() + " characters", "must be at most " + max + " characters");
        }
    }

    public void methodName(String field, String value) {
        pattern(field, value, METHOD, "must be a dotted lowercase method name such as taobao.trade.get");
    }

    public void identifier(String field, String value) {
        pattern(field, value, IDENTIFIER, "must start with a letter or digit and contain only letters, digits, '.', '-' and '_'");
    }

    public void appKey(String field, String value) {
        pattern(field, value, APP_KEY, "must contain only letters, digits, '-' and '_'");
    }

    public void parameterName(String field, String value) {
        pattern(field, value, PARAMETER, "must be a parameter name (letters, digits, '_' and '.')");
    }

    private void pattern(String field, String value, Pattern pattern, String rule) {
        if (value == null || value.isBlank()) {
            fail(field, null, "is required");
        } else if (value.length() > MAX_NAME) {
            fail(field, value.length() + " characters", "must be at most " + MAX_NAME + " characters");
        } else if (!pattern.matcher(value).matches()) {
            fail(field, value, rule);
        }
    }

    public void range(String field, Number value, long min, long max) {
        if (value == null) {
            fail(field, null, "is required");
        } else if (value.longValue() < min || value.longValue() > max) {
            fail(field, value, "must be between " + min + " and " + max);
        }
    }

    public void notEmpty(String field, Collection<?> values) {
        if (values == null || values.isEmpty()) {
            fail(field, null, "must have at least one element");
        }
    }

    public void distinct(String field, Collection<String> values) {
        Set<String> seen = new HashSet<>();
        for (String v : values) {
            if (v != null && !seen.add(v)) {
                fail(field, v, "must not repeat an element");
            }
        }
    }

    public void httpUrl(String field, String value) {
        if (value == null || value.isBlank()) {
            fail(field, null, "is required");
            return;
        }
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                fail(field, value, "must be an http:// or https:// URL with a host");
            } else if (uri.getQuery() != null || uri.getFragment() != null) {
                fail(field, value, "must not have a query or fragment");
            }
        } catch (Exception e) {
            fail(field, value, "must be a valid URL");
        }
    }
}
