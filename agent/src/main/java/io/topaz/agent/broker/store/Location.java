package io.topaz.agent.broker.store;

/** Where a key's newest record is: segment id, byte offset, record size, and the record's timestamp. */
record Location(long segment, int offset, int size, long timestamp) {
}
