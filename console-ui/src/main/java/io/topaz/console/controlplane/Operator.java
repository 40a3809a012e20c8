package io.topaz.console.controlplane;

/** Whose token the console signed in with ({@code GET /api/v1/me}). */
public record Operator(String name, Role role) {
}
