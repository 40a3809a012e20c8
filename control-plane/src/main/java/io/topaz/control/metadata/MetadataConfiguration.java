package io.topaz.control.metadata;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class MetadataConfiguration {

    @Bean
    SecretCipher secretCipher(MetadataProperties props) {
        return SecretCipher.fromSettings(props);
    }
}
