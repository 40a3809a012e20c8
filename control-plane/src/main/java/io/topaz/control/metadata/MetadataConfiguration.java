package io.topaz.control.metadata;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class MetadataConfiguration {

    @Bean
    SecretCipher secretCipher(MetadataProperties props, @Value("${spring.datasource.url:}") String databaseUrl) {
        return SecretCipher.fromSettings(props, embedded(databaseUrl));
    }

    /** The embedded H2 (a file or in memory, one instance's own) or Spring Boot's default embedded database. */
    static boolean embedded(String databaseUrl) {
        return databaseUrl == null || databaseUrl.isBlank() || databaseUrl.startsWith("jdbc:h2:");
    }
}
