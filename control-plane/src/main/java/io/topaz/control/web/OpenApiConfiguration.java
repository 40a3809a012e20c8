package io.topaz.control.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI description at {@code /v3/api-docs}: title, version and the bearer-token scheme every call uses. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI topazOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Topaz control plane")
                        .description("Config drafts and releases, the audit log, operator tokens, the fleet view and live traffic-control "
                                + "rates. "
                                + "Every call, and this description, needs 'Authorization: Bearer <token>'; roles: VIEWER < OPERATOR < ADMIN. "
                                + "In Swagger UI (/swagger-ui.html) the page asks for the token once per tab; Authorize "
                                + "sets another for the calls you try.")
                        .version("v1")
                        .license(new License().name("Apache-2.0")))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
