package io.topaz.control.web;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Swagger UI's start-up script, in place of springdoc's. Swagger UI fetches the OpenAPI description without any
 * credential, and the description needs a token like every other endpoint here; so this script asks for the operator
 * token once per browser tab (kept in the tab's session storage, never sent elsewhere) and sends it as
 * {@code Authorization: Bearer} with the description's fetch and with every "Try it out" call that has no
 * Authorization of its own (the Authorize button still sets one). The page and its assets are public; they hold no
 * data. A controller mapping wins over springdoc's resource handler for the same path.
 */
@RestController
class SwaggerUiInitializer {

    static final String SCRIPT = """
            window.onload = function () {
              function token() {
                var t = sessionStorage.getItem('topaz-token');
                if (!t) {
                  t = window.prompt('Topaz control plane: an operator token (tpz_…), sent as Authorization: Bearer');
                  if (t) { sessionStorage.setItem('topaz-token', t.trim()); }
                }
                return sessionStorage.getItem('topaz-token');
              }
              window.ui = SwaggerUIBundle({
                url: '/v3/api-docs',
                dom_id: '#swagger-ui',
                deepLinking: true,
                persistAuthorization: false,
                presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
                plugins: [SwaggerUIBundle.plugins.DownloadUrl],
                layout: 'StandaloneLayout',
                requestInterceptor: function (req) {
                  if (!req.headers.Authorization && token()) {
                    req.headers.Authorization = 'Bearer ' + token();
                  }
                  return req;
                },
                responseInterceptor: function (res) {
                  if (res.status === 401 && res.url.indexOf('/v3/api-docs') >= 0) {
                    sessionStorage.removeItem('topaz-token');   // a wrong token: ask again on reload
                  }
                  return res;
                }
              });
            };
            """;

    @GetMapping(value = "/swagger-ui/swagger-initializer.js", produces = "application/javascript")
    ResponseEntity<String> initializer() {
        return ResponseEntity.ok().cacheControl(CacheControl.noCache())
                .contentType(MediaType.valueOf("application/javascript")).body(SCRIPT);
    }
}
