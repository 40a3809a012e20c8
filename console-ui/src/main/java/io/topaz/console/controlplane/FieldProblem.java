package io.topaz.console.controlplane;

/**
 * One field the control plane refused: its JSON path (e.g. {@code upstreams[0].weight}), the value and the rule.
 *
 * @param message the control plane's own sentence, e.g. {@code qps must be between 1 and 10000000, was 0}
 */
public record FieldProblem(String field, String value, String rule, String message) {
}
