package io.topaz.control.web;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.ConfigValidationException;

/**
 * Checks paging parameters before any arithmetic on them: a negative offset or page, a limit or size out of range, and
 * a page whose first item lies beyond what an int can index ({@code page × size} overflowing) are refused with 400
 * naming the parameter. A value too large for a number at all is refused the same way by
 * {@link ApiExceptionHandler}.
 */
public final class Paging {

    /** The largest offset (and {@code page × size}) accepted: far beyond any list the control plane holds. */
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

    /** {@code page} from 0, {@code size} from 1 to {@code maxSize}, and {@code page × size} at most {@link #MAX_OFFSET}. */
    public static void pageSize(long page, long size, int maxSize) {
        Checks c = new Checks();
        c.range("page", page, 0, MAX_OFFSET);
        c.range("size", size, 1, maxSize);
        if (c.errors().isEmpty() && page * size > MAX_OFFSET) { // both bounded above, so the product cannot overflow
            c.fail("page", page, "times size (" + size + ") must be at most " + MAX_OFFSET);
        }
        throwIfAny(c);
    }

    private static void throwIfAny(Checks c) {
        if (!c.errors().isEmpty()) {
            throw new ConfigValidationException("paging", c.errors());
        }
    }
}
