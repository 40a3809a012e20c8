package io.topaz.model.config;

/** The kinds of metadata agents read through their multi-tier cache. */
public enum MetadataKind {
    APP,
    SESSION
}
