package io.topaz.control.security;

import io.topaz.control.web.ApiError;
import io.topaz.model.json.Json;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** Writes 401 and 403 as the same JSON error body the controllers use. */
class JsonErrorWriter {

    void write(HttpServletResponse response, int status, String error, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        if (status == 401) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"topaz\"");
        }
        response.getOutputStream().write(Json.write(ApiError.of(status, error, message)));
    }
}
