package io.topaz.control.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.lang.NonNull;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Every request body of the REST API is JSON. A body sent without {@code Content-Type: application/json} — curl's
 * {@code -d} alone sends {@code application/x-www-form-urlencoded} — reached the JSON reader re-encoded as form
 * parameters and was refused with "Unexpected character ('%')"; it is refused here instead (415) with what to send.
 * A request without a body (e.g. a rollback with no message) needs no content type.
 */
@Configuration(proxyBeanMethods = false)
class JsonRequestBodies implements WebMvcConfigurer, HandlerInterceptor {

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
