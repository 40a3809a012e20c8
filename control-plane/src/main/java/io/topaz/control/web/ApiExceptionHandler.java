package io.topaz.control.web;

import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.FieldError;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import tools.jackson.core.JacksonException;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import java.util.List;

/** Maps every failure to an {@link ApiError}: 400 with field errors, 404, 409, and a plain 500 that hides internals. */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ConfigValidationException.class)
    ResponseEntity<ApiError> validation(ConfigValidationException e) {
        return ResponseEntity.badRequest().body(ApiError.validation(e.getMessage(), e.errors()));
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<ApiError> beanValidation(MethodArgumentNotValidException e) {
        List<FieldError> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> new FieldError(f.getField(), f.getRejectedValue() == null ? null : String.valueOf(f.getRejectedValue()),
                        f.getDefaultMessage()))
                .toList();
        return ResponseEntity.badRequest().body(ApiError.validation("request body is invalid", errors));
    }

    /**
     * A body that does not read into its record: the field at fault (an unknown field, a wrong type, a value outside an
     * enum), or {@code body} when it is missing or not JSON — the one error shape, as for every other invalid input.
     */
    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ApiError> unreadable(HttpMessageNotReadableException e) {
        FieldError error = null;
        for (Throwable t = e.getCause(); t != null && error == null; t = t.getCause()) {
            if (t instanceof JacksonException j) {
                error = JsonBodies.errorOf(j);
            }
        }
        if (error == null) {
            boolean missing = e.getMessage() != null && e.getMessage().startsWith("Required request body is missing");
            error = new FieldError("body", null, missing ? "is required (a JSON object)" : "is not valid JSON for this endpoint");
        }
        return ResponseEntity.badRequest().body(ApiError.validation("request body: " + error.message(), List.of(error)));
    }

    /** A query parameter or header missing, or not of its type (a number too large for one included): 400 naming it. */
    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ApiError> mismatch(MethodArgumentTypeMismatchException e) {
        Class<?> type = e.getRequiredType();
        String rule = type == null ? "has the wrong type"
                : Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class
                ? "must be a whole number within range"
                : type.isEnum() ? "must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                : "must be a " + type.getSimpleName();
        FieldError error = new FieldError(e.getName(), e.getValue() == null ? null : String.valueOf(e.getValue()), rule);
        return ResponseEntity.badRequest().body(ApiError.validation(error.message(), List.of(error)));
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ApiError> missingParameter(MissingServletRequestParameterException e) {
        FieldError error = new FieldError(e.getParameterName(), null, "is required");
        return ResponseEntity.badRequest().body(ApiError.validation(error.message(), List.of(error)));
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<ApiError> missingHeader(MissingRequestHeaderException e) {
        FieldError error = new FieldError(e.getHeaderName(), null, "is required (a header)");
        return ResponseEntity.badRequest().body(ApiError.validation(error.message(), List.of(error)));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ApiError> method(HttpRequestMethodNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED)
                .body(ApiError.of(405, "Method Not Allowed", e.getMessage()));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ApiError> mediaType(HttpMediaTypeNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                .body(ApiError.of(415, "Unsupported Media Type", "send application/json"));
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ApiError> noResource(NoResourceFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(ApiError.of(404, "Not Found", "no such endpoint: /" + e.getResourcePath()));
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiError> api(ApiException e) {
        return ResponseEntity.status(e.status())
                .body(ApiError.of(e.status().value(), e.status().getReasonPhrase(), e.getMessage()));
    }

    @ExceptionHandler({KeeperException.ConnectionLossException.class, KeeperException.SessionExpiredException.class,
            KeeperException.OperationTimeoutException.class})
    ResponseEntity<ApiError> zookeeperDown(KeeperException e) {
        log.warn("ZooKeeper unavailable: {}", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(ApiError.of(503, "Service Unavailable",
                "ZooKeeper, where config is kept, is not reachable; retry when the control plane's health is UP"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ApiError> unexpected(Exception e) {
        log.error("unexpected failure handling a request", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(ApiError.of(500, "Internal Server Error",
                "the control plane failed to handle this request; see its log"));
    }
}
