/**
 * The message log store: Bitcask-style append-only segments on memory-mapped files, an in-memory key directory,
 * CRC-checked records, hint files, merging, and per-store durability (sync each, group commit, OS).
 * {@link io.topaz.agent.broker.store.LogStore} is the API; {@code Segments}, {@code KeyDirectory}, {@code Recovery},
 * {@code Compactor} and {@code GroupCommit} each do one job; every file access goes through {@code Storage}, so tests
 * can run the store on a disk that loses power. See docs/architecture.md, "Message log store".
 */
package io.topaz.agent.broker.store;
