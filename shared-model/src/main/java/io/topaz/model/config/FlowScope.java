package io.topaz.model.config;

/** What a QPS limit counts: all calls of one API, all calls of one app, or one app's calls of one API. */
public enum FlowScope {
    API,
    APP,
    APP_API
}
