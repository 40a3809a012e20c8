/**
 * Metadata that is too large to push whole to agents — apps with their secrets, sellers' sessions, the message
 * service's permits and consumer groups — as the control plane serves it to agents' multi-tier caches, with the events
 * that invalidate it and the Bloom filters of existing keys.
 */
package io.topaz.model.metadata;
