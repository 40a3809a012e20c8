package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.BrokerException;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** A step of the sync that failed, with a message that says which step and why (shown in {@code GET /sync}). */
final class SyncFailure extends Exception {

    SyncFailure(String step, Throwable cause) {
        super(step + ": " + why(cause), cause);
    }

    /** True for a failure of the connection itself (nothing more can be done on it now). */
    static boolean connectionLost(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || state != null && state.startsWith("08");
    }

    static String why(Throwable e) {
        Throwable c = e;
        while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof SQLException s) {
            Throwable cause = s.getCause(); // a pool's timeout hides the driver's reason (wrong password, refused…)
            return (connectionLost(s) ? "connection failed" : "refused") + " (SQLState " + s.getSQLState() + "): "
                    + s.getMessage() + (cause != null && cause.getMessage() != null
                    && !s.getMessage().contains(cause.getMessage()) ? " — " + cause.getMessage() : "");
        }
        if (c instanceof BrokerException b) {
            return "broker " + b.kind().name().toLowerCase() + ": " + b.getMessage();
        }
        if (c instanceof TimeoutException) {
            return "no answer in time";
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }
}
