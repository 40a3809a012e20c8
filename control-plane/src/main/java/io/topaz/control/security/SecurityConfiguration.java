package io.topaz.control.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * Who may do what. Health is open; everything else needs a bearer token. Viewers read; operators also write config and
 * publish (and replay or purge dead letters); admins also manage tokens and apps, issue seller sessions, set
 * sync targets' passwords and force reconciliations. Agents
 * read and change metadata; publishers (platform services) only ask {@code /api/v1/me} whose token they hold.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain api(HttpSecurity http, TokenStore tokens) throws Exception {
        JsonErrorWriter errors = new JsonErrorWriter();
        http.csrf(c -> c.disable())
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new BearerTokenFilter(tokens, errors), AnonymousAuthenticationFilter.class)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> errors.write(res, 401, "Unauthorized",
                                "a bearer token is required: 'Authorization: Bearer <token>'"))
                        .accessDeniedHandler((req, res, ex) -> errors.write(res, 403, "Forbidden",
                                "your token's role may not " + req.getMethod() + " " + req.getRequestURI())))
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll()
                        // Swagger UI's page and assets: public, no data; the description they load needs a token
                        .requestMatchers(HttpMethod.GET, "/swagger-ui.html", "/swagger-ui/**").permitAll()
                        // every valid token may ask whose it is: the console for operators, agents to check the AGENT
                        // and PUBLISHER tokens presented on their broker ports
                        .requestMatchers(HttpMethod.GET, "/api/v1/me").authenticated()
                        .requestMatchers("/api/v1/tokens", "/api/v1/tokens/**").hasRole("ADMIN")
                        .requestMatchers("/api/v1/metadata/**").hasRole("AGENT")
                        .requestMatchers(HttpMethod.GET, "/api/v1/**", "/actuator/**", "/v3/api-docs", "/v3/api-docs/**")
                        .hasRole("VIEWER")
                        .requestMatchers(HttpMethod.POST, "/api/v1/apps", "/api/v1/apps/**").hasRole("ADMIN")
                        .requestMatchers(HttpMethod.PUT, "/api/v1/apps/**").hasRole("ADMIN")
                        .requestMatchers(HttpMethod.DELETE, "/api/v1/apps/**").hasRole("ADMIN")
                        // a session key acts for a seller towards TOP: minting one is as sensitive as an app secret
                        .requestMatchers(HttpMethod.POST, "/api/v1/sessions").hasRole("ADMIN")
                        // a sync target's database password, and forcing a full reconciliation of a group
                        .requestMatchers(HttpMethod.PUT, "/api/v1/sync-targets/*/password").hasRole("ADMIN")
                        .requestMatchers(HttpMethod.DELETE, "/api/v1/sync-targets/*/password").hasRole("ADMIN")
                        .requestMatchers(HttpMethod.POST, "/api/v1/sync/reconcile").hasRole("ADMIN")
                        .requestMatchers("/api/v1/**").hasRole("OPERATOR")
                        .anyRequest().denyAll());
        return http.build();
    }
}
