package io.topaz.agent.traffic;

import io.topaz.agent.traffic.TrafficControl.Rejection;

import java.util.concurrent.CompletableFuture;

/**
 * One call's pass over the rules that apply to it (API, app, app per API, quota, in that order): each rule's
 * permit is taken in turn; when one refuses, every permit already taken is given back, so a refused call spends no
 * rule's budget, and only a call that passed every rule is counted as passed by each (Sentinel's checkers decide
 * before its statistic slot counts).
 */
final class PermitChain {

    static final CompletableFuture<Rejection> PASS = CompletableFuture.completedFuture(null);

    /** The answer to a call that {@code rule} refused. */
    interface Refusal {
        Rejection of(Rule rule, long now);
    }

    private final Refusal refusal;

    PermitChain(Refusal refusal) {
        this.refusal = refusal;
    }

    /**
     * Takes the permits of the rules from ({@code list}, {@code index}) on; {@code taken} rules before it granted one.
     * When a rule refuses, every permit taken is given back, so a refused call spends no rule's budget; only a call
     * that passed every rule counts as passed by each. A local limiter is its own permit, so the single-node path
     * needs no array to hold them (and allocates nothing); a cluster lease's permit, and any on the asynchronous
     * path, is held in {@code held} (null until needed).
     */
    CompletableFuture<Rejection> take(Rule[][] lists, long now) {
        return check(lists, 0, 0, 0, null, now);
    }

    private CompletableFuture<Rejection> check(Rule[][] lists, int list, int index, int taken, Permit[] held,
                                               long now) {
        while (true) {
            if (index >= lists[list].length) {
                if (++list == lists.length) {
                    countPassed(lists);
                    return PASS;
                }
                index = 0;
                continue;
            }
            Rule r = lists[list][index];
            CompletableFuture<Permit> verdict;
            try {
                verdict = r.limiter().tryAcquire(now);
            } catch (RuntimeException e) {
                giveBack(lists, taken, held, now);
                throw e;
            }
            if (!verdict.isDone()) {
                Permit[] h = held != null ? held : new Permit[size(lists)];
                int l = list;
                int i = index;
                int t = taken;
                return verdict.thenCompose(permit -> {
                    if (permit == null) {
                        return refused(lists, r, t, h, now);
                    }
                    h[t] = permit;
                    return check(lists, l, i + 1, t + 1, h, now);
                });
            }
            Permit permit = verdict.join();
            if (permit == null) {
                return refused(lists, r, taken, held, now);
            }
            if (permit != r.limiter()) {
                if (held == null) {
                    held = new Permit[size(lists)];
                }
                held[taken] = permit;
            }
            taken++;
            index++;
        }
    }

    private CompletableFuture<Rejection> refused(Rule[][] lists, Rule r, int taken, Permit[] held, long now) {
        r.limiter().meters().blocked.increment();
        giveBack(lists, taken, held, now);
        return CompletableFuture.completedFuture(refusal.of(r, now));
    }

    /** Gives back the permits of the first {@code taken} rules: held, or the limiter itself. */
    private static void giveBack(Rule[][] lists, int taken, Permit[] held, long now) {
        int n = 0;
        for (Rule[] rules : lists) {
            for (Rule r : rules) {
                if (n == taken) {
                    return;
                }
                Permit p = held != null && held[n] != null ? held[n] : (Permit) r.limiter();
                p.giveBack(now);
                n++;
            }
        }
    }

    private static void countPassed(Rule[][] lists) {
        for (Rule[] rules : lists) {
            for (Rule r : rules) {
                r.limiter().meters().passed.increment();
            }
        }
    }

    private static int size(Rule[][] lists) {
        int n = 0;
        for (Rule[] rules : lists) {
            n += rules.length;
        }
        return n;
    }
}
