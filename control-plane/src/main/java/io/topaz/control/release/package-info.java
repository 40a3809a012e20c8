/**
 * Releases: publish the draft as an immutable numbered release, diff the draft against the live release, roll back,
 * read the history. {@link io.topaz.control.release.ReleaseStore} owns the ZooKeeper side.
 */
package io.topaz.control.release;
