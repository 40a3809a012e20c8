package io.topaz.control.web;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.ConfigValidationException;

/**
 * Checks offset and limit before any arithmetic on them: a negative or huge offset and a limit out of range are refused
 * with 400 naming the parameter (page and size are checked alike by the services that take them). A value too large
 * for a number at all is refused the same way by {@link ApiExceptionHandler}.
 */
public final class Paging {

    /** The largest offset accepted: far beyond any list the control plane holds, and far from int overflow. */
    public static final long MAX_OFFSET = 1_000_000_000L;

    private Paging() {
    }

    /** {@code offset} from 0 to {@link #MAX_OFFSET}, {@code limit} from 1 to {@code maxLimit}. */
    public static void offsetLimit(long offset, long limit, int maxLimit) {
        Checks c = new Checks();
        c.range("offset", offset, 0, MAX_OFFSET);
        c.range("limit", limit, 1, maxLimit);
        throwIfAny(c);
    }

    private static void throwIfAny(Checks c) {
        if (!c.errors().isEmpty()) {
            throw new ConfigValidationException("paging", c.errors());
        }
    }
}
