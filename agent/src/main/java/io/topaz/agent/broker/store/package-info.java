/**
 * The message log store: Bitcask-style append-only segments on memory-mapped files, an in-memory key directory,
 * CRC-checked records, recovery that truncates a torn tail, and per-store durability (sync each, group commit, OS).
 * Hint files and merging are still to come (issue 6).
 */
package io.topaz.agent.broker.store;
