package io.topaz.control.security;

/** A token as listed: never its secret or hash. */
public record OperatorToken(String name, Role role, String createdAt, String createdBy) {
}
