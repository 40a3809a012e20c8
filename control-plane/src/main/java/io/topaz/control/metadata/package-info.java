/**
 * Apps (with secrets encrypted at rest), sellers and their sessions, kept in the relational database; the metadata
 * events that tell agents of changes at once; the Bloom filters of existing keys; and the batch lookup agents read
 * through their caches.
 */
package io.topaz.control.metadata;
