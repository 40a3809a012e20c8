package io.topaz.agent.traffic;

/**
 * A permit one rule granted to a call. A call that a later rule refuses gives back every permit it took, so a refused
 * call spends no rule's budget (Sentinel's checkers decide before its statistic slot counts; here the earlier rules
 * have already counted, and undo it).
 */
interface Permit {

    /** Undoes the grant, at the time the call was decided. */
    void giveBack(long nowMillis);
}
