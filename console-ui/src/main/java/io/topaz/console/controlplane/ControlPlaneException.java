package io.topaz.console.controlplane;

import java.util.List;

/**
 * A call to the control plane that did not succeed, with a message an operator can act on. The kind tells the console
 * how to show it: an unreachable control plane is a banner that clears itself, a refused field sits beside that field,
 * everything else is a message on the screen. Never carries a stack trace to the screen.
 */
public final class ControlPlaneException extends RuntimeException {

    /** What went wrong, from the console's point of view. */
    public enum Problem {
        /** No answer: connection refused, reset or timed out. */
        UNREACHABLE,
        /** 401: the token is unknown, revoked or expired. */
        UNAUTHORIZED,
        /** 403: the token's role may not do this. */
        FORBIDDEN,
        /** 404. */
        NOT_FOUND,
        /** 409: a stale version, an existing key, or nothing to publish. */
        CONFLICT,
        /** 400: the input broke rules; {@link #fieldProblems()} names the fields. */
        INVALID,
        /** 503: the control plane answers but cannot reach ZooKeeper, or is busy publishing. */
        UNAVAILABLE,
        /** Any other failure. */
        FAILED
    }

    private final Problem problem;
    private final int status;
    private final List<FieldProblem> fieldProblems;

    public ControlPlaneException(Problem problem, int status, String message, List<FieldProblem> fieldProblems) {
        super(message);
        this.problem = problem;
        this.status = status;
        this.fieldProblems = fieldProblems == null ? List.of() : List.copyOf(fieldProblems);
    }

    public static ControlPlaneException unreachable(String message) {
        return new ControlPlaneException(Problem.UNREACHABLE, 0, message, List.of());
    }

    public static Problem problemOf(int status) {
        return switch (status) {
            case 400 -> Problem.INVALID;
            case 401 -> Problem.UNAUTHORIZED;
            case 403 -> Problem.FORBIDDEN;
            case 404 -> Problem.NOT_FOUND;
            case 409 -> Problem.CONFLICT;
            case 503 -> Problem.UNAVAILABLE;
            default -> Problem.FAILED;
        };
    }

    public Problem problem() {
        return problem;
    }

    /** The HTTP status, 0 when there was no answer. */
    public int status() {
        return status;
    }

    public List<FieldProblem> fieldProblems() {
        return fieldProblems;
    }

    /** One or more sentences for the screen: what was wrong and, where it helps, what to do. */
    public String operatorMessage() {
        String m = getMessage() == null ? "" : getMessage();
        return switch (problem) {
            case FORBIDDEN -> "Not allowed for your role: " + m;
            case UNAUTHORIZED -> "The control plane refused the token: " + m + ". Sign in again with a valid token.";
            case CONFLICT -> m;
            default -> m;
        };
    }
}
