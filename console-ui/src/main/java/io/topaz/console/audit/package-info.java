/**
 * The audit log screen: every change, publish and rollback, filtered by time range, user (actor), item (kind and key)
 * and release, newest first, with each event's detail (the item before and after, or the release message).
 */
package io.topaz.console.audit;
