package io.topaz.model.config;

/**
 * How important an API group's calls are when an agent is overloaded: {@code LOW} is shed first, then {@code NORMAL};
 * capacity reserved for {@code CRITICAL} stays available to it.
 */
public enum Tier {
    CRITICAL,
    NORMAL,
    LOW
}
