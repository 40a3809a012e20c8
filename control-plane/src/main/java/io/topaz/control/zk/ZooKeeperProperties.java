package io.topaz.control.zk;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where config lives. With {@code connectString} empty the control plane runs an in-process ZooKeeper server on
 * {@code embeddedPort}, keeping its data in {@code embeddedDataDir} so a restart keeps the config; otherwise it joins
 * the named ensemble.
 */
@Validated
@ConfigurationProperties("topaz.zookeeper")
public record ZooKeeperProperties(
        @DefaultValue("") String connectString,
        @DefaultValue("/topaz") @NotBlank String root,
        @DefaultValue("2181") @Min(0) @Max(65535) int embeddedPort,
        @DefaultValue("data/zookeeper") @NotNull Path embeddedDataDir,
        @DefaultValue("30s") @NotNull Duration sessionTimeout,
        @DefaultValue("10s") @NotNull Duration connectionTimeout,
        @DefaultValue("30s") @NotNull Duration startupWait) {

    public boolean embedded() {
        return connectString == null || connectString.isBlank();
    }
}
