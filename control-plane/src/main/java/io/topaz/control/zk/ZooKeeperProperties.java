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
 * the named ensemble. {@code auth} holds the digest identities the tree's ACLs are built from.
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
        @DefaultValue("30s") @NotNull Duration startupWait,
        @DefaultValue @NotNull Auth auth) {

    public boolean embedded() {
        return connectString == null || connectString.isBlank();
    }

    /**
     * The ZooKeeper identities ({@code user:password}, digest scheme). The control plane authenticates as
     * {@code controlPlane} (or the first line of {@code controlPlaneFile}) and grants agents their rights by the
     * identity in {@code agent} / {@code agentFile} — or by {@code agentDigest} ({@code user:base64(sha1(user:password))})
     * so the control plane need not know the agents' password. All empty: open ACLs, for tests and embedding only.
     */
    public record Auth(String controlPlane, Path controlPlaneFile, String agent, Path agentFile, String agentDigest) {

        /** Never shows a password: this record ends up in logs and the actuator's configprops. */
        @Override
        public String toString() {
            return "Auth[controlPlane=" + mask(controlPlane) + ", controlPlaneFile=" + controlPlaneFile
                    + ", agent=" + mask(agent) + ", agentFile=" + agentFile + ", agentDigest=" + agentDigest + "]";
        }

        private static String mask(String credentials) {
            return credentials == null || credentials.isBlank() ? null : "****";
        }
    }
}
