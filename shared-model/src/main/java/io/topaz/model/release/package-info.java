/**
 * The release format: a {@link io.topaz.model.release.ReleaseManifest} naming content-addressed blobs, made and read by
 * {@link io.topaz.model.release.ReleaseCodec}; {@link io.topaz.model.release.SnapshotFile} keeps one on local disk.
 */
package io.topaz.model.release;
