package io.topaz.agent.broker.push;

/**
 * A frame the server refuses, with the WebSocket close code the connection ends with and a reason safe to show the
 * client (docs/tmc-protocol.md, "Closing, limits and heartbeats"). No stack trace: it is an answer, not a bug.
 */
public final class FrameException extends RuntimeException {

    /** Normal closure (idle connections, a refused CONNECT after its CONNECTACK). */
    public static final int NORMAL = 1000;
    /** Malformed frame, unknown version or message type. */
    public static final int PROTOCOL_ERROR = 1002;
    /** A text frame. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** A frame out of order, a second CONNECT, a foreign token. */
    public static final int POLICY_VIOLATION = 1008;
    /** A frame over the size limit. */
    public static final int TOO_BIG = 1009;

    private final int closeCode;

    public FrameException(int closeCode, String reason) {
        super(reason, null, false, false);
        this.closeCode = closeCode;
    }

    public int closeCode() {
        return closeCode;
    }

    static FrameException malformed(String why) {
        return new FrameException(PROTOCOL_ERROR, "malformed frame: " + why);
    }
}
