/**
 * Small files replaced whole and durably (the agent's release snapshot, its quota counts):
 * {@link io.topaz.model.storage.DurableReplace} is the one write-temp, force, rename, force-directory routine, and
 * {@link io.topaz.model.storage.FileOperations} the seam it goes through, so that tests can cut the power.
 */
package io.topaz.model.storage;
