package io.topaz.control.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import io.topaz.model.json.Json;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.Resource;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.lang.NonNull;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.util.List;

/**
 * Request bodies are bound to records ({@code @RequestBody SomeRequest r}) and read with the strict mapper
 * ({@link io.topaz.model.json.Json#strict()}: an unknown field is an error, not an ignored typo) by a converter placed
 * before Spring's, which only reads: responses are written as before. A body that does not read becomes a 400 naming the
 * field, in the one error shape ({@link ApiExceptionHandler}). Bodies taken as bytes or text are left to Spring's own
 * converters.
 *
 * <p>Every request body of the REST API is JSON. A body sent without {@code Content-Type: application/json} — curl's
 * {@code -d} alone sends {@code application/x-www-form-urlencoded} — reached the JSON reader re-encoded as form
 * parameters and was refused with "Unexpected character ('%')"; it is refused here instead (415) with what to send.
 * A request without a body (e.g. a rollback with no message) needs no content type.
 */
@Configuration(proxyBeanMethods = false)
class JsonRequestBodies implements WebMvcConfigurer, HandlerInterceptor {

    @Override
    public void extendMessageConverters(@NonNull List<HttpMessageConverter<?>> converters) {
        converters.add(0, new StrictJsonReader());
    }

    /** Reads JSON request bodies into records with the strict mapper; never writes. */
    static final class StrictJsonReader extends JacksonJsonHttpMessageConverter {
        StrictJsonReader() {
            super(Json.strict());
        }

        @Override
        public boolean canRead(@NonNull ResolvableType type, MediaType mediaType) {
            Class<?> raw = type.toClass();
            return raw != byte[].class && raw != String.class && !Resource.class.isAssignableFrom(raw)
                    && super.canRead(type, mediaType);
        }

        @Override
        public boolean canWrite(@NonNull ResolvableType type, @NonNull Class<?> valueClass, MediaType mediaType) {
            return false;
        }
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/**");
    }

    @Override
    public boolean preHandle(@NonNull HttpServletRequest request, @NonNull HttpServletResponse response,
                             @NonNull Object handler) {
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        if (!hasBody || isJson(request.getContentType())) {
            return true;
        }
        String given = request.getContentType() == null ? "no Content-Type" : "Content-Type '" + request.getContentType() + "'";
        throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "the request body must be JSON, sent with "
                + "'Content-Type: application/json' (got " + given + "); with curl: -H 'Content-Type: application/json'");
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isCompatibleWith(MediaType.APPLICATION_JSON)
                    || type.getSubtype().endsWith("+json") && "application".equals(type.getType());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
