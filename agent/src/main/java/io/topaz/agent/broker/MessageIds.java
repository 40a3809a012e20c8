package io.topaz.agent.broker;

/**
 * Hands out message ids: positive, below 2^53, unique across the agents of a platform and across restarts (blocks
 * taken from a ZooKeeper counter by compare-and-set; docs/tmc-protocol.md, "Message ids"). Never blocks on
 * ZooKeeper: the next block is fetched in the background once three quarters of the current one is used.
 */
public interface MessageIds {

    /**
     * The next id.
     *
     * @throws BrokerException kind {@link BrokerException.Kind#UNAVAILABLE} when the current block is used up and
     *                         ZooKeeper has not answered for a new one
     */
    long next();
}
