package io.topaz.agent.gateway;

/**
 * A TOP platform error as the gateway answers it: {@code {"error_response":{"code","msg","sub_code","sub_msg",
 * "request_id"}}} with HTTP 200 (a TOP client reads the body, not the status). Codes and messages are TOP's
 * (docs/top-protocol.md); {@code sub_code} is {@code isv.*} when the caller's request is wrong and {@code isp.*} when the
 * platform failed and a retry may work. {@code retryAfterSeconds}, when above 0, becomes the HTTP {@code Retry-After}.
 */
public record TopError(int code, String msg, String subCode, String subMsg, long retryAfterSeconds) {

    public static TopError of(int code, String subCode, String subMsg) {
        return new TopError(code, message(code), subCode, subMsg, 0);
    }

    /** Code 7: a flow-control, quota or overload limit; the HTTP answer carries {@code Retry-After}. */
    public static TopError limited(String subCode, String subMsg, long retryAfterSeconds) {
        return new TopError(7, message(7), subCode, subMsg, retryAfterSeconds);
    }

    public static String message(int code) {
        return switch (code) {
            case 7 -> "App Call Limited";
            case 10 -> "Service Currently Unavailable";
            case 11 -> "Insufficient ISV Permissions";
            case 12 -> "Insufficient User Permissions";
            case 15 -> "Remote service error";
            case 21 -> "Missing Method";
            case 22 -> "Invalid Method";
            case 23 -> "Invalid Format";
            case 25 -> "Invalid Signature";
            case 26 -> "Missing Session";
            case 27 -> "Invalid Session";
            case 28 -> "Missing App Key";
            case 29 -> "Invalid App Key";
            case 30 -> "Missing Timestamp";
            case 31 -> "Invalid Timestamp";
            case 32 -> "Missing Version";
            case 33 -> "Invalid Version";
            case 40 -> "Missing Required Arguments";
            case 41 -> "Invalid Arguments";
            case 43 -> "Parameter Error";
            case 47 -> "Invalid Encoding";
            default -> "Error";
        };
    }

    /** Whether the platform, not the caller, failed (an {@code isp.} sub-code). */
    public boolean platformSide() {
        return subCode != null && subCode.startsWith("isp.");
    }
}
