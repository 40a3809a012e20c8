package io.topaz.bench.scg;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Spring Cloud Gateway as configured in application.yml: {@code /router/rest} proxied to the demo upstream with the
 * method header the upstream contract needs. The benchmark's baseline; it checks no signature and reads no metadata,
 * so it does less per call than Topaz's gateway.
 */
@SpringBootApplication
public class ScgBaseline {

    public static void main(String[] args) {
        SpringApplication.run(ScgBaseline.class, args);
    }
}
