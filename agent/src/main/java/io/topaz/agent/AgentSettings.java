package io.topaz.agent;

import io.topaz.agent.broker.push.PushSettings;
import io.topaz.agent.metadata.MetadataSettings;
import io.topaz.agent.net.BrokerTls;
import io.topaz.agent.net.TlsFiles;
import io.topaz.agent.net.Transport;
import io.topaz.model.zk.ZkCredentials;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an agent needs to start. Built from {@code --name=value} flags with environment fallbacks
 * ({@code TOPAZ_} + upper-case name with '-' as '_', e.g. {@code --zk-connect} / {@code TOPAZ_ZK_CONNECT}).
 *
 * @param gatewayPort 0 when this agent runs no gateway
 * @param brokerPort  0 when this agent runs no broker
 * @param adminPort   0 picks a free port
 * @param transport   the network transport requested ({@code --transport}); a native one the host cannot run falls
 *                    back when the agent starts
 * @param eventLoops  the gateway's event loops ({@code --event-loops}); 0 for one per available core
 * @param zkAuth      the ZooKeeper digest identity ({@code --zk-auth-file} or {@code --zk-auth}); null for none (open
 *                    ACLs, tests only). Its {@code toString} hides the password, so this record can be logged.
 * @param broker      the broker's storage flags ({@code --broker-*}); used only with a broker port
 * @param tls         the certificate and key for https on the gateway port ({@code --tls-cert}, {@code --tls-key});
 *                    null for plain http
 * @param brokerTls   {@code wss://} and https on the broker port, and https to the peers' broker ports
 *                    ({@code --broker-tls-cert}, {@code --broker-tls-key}, {@code --broker-tls-trust}); null for plain
 * @param push        the push WebSocket's settings ({@code --push-*}); used only with a broker port
 * @param ordersDbUrl the platform's order database ({@code --orders-db-url}, a JDBC URL); only agents with it run
 *                    the order sync. Null for none
 * @param adminTls    the certificate and key for https on the admin port ({@code --admin-tls-cert},
 *                    {@code --admin-tls-key}); null for plain http
 */
public record AgentSettings(String id, String zone, String cluster, String host, int adminPort, int gatewayPort,
                            int brokerPort, String zkConnect, String zkRoot, Path dataDir, String version,
                            Duration zkSessionTimeout, Duration zkConnectionTimeout, MetadataSettings metadata,
                            Transport transport, int eventLoops, ZkCredentials zkAuth,
                            BrokerSettings broker, TlsFiles tls, BrokerTls brokerTls,
                            PushSettings push, String ordersDbUrl, TlsFiles adminTls) {

    /** The flags, in the order {@code --help} lists them, with their defaults. */
    static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("id", null);
        DEFAULTS.put("zone", "default");
        DEFAULTS.put("cluster", "default");
        DEFAULTS.put("host", null);
        DEFAULTS.put("admin-port", "8082");
        DEFAULTS.put("gateway-port", "0");
        DEFAULTS.put("broker-port", "0");
        DEFAULTS.put("tls-cert", null);
        DEFAULTS.put("tls-key", null);
        DEFAULTS.put("broker-tls-cert", null);
        DEFAULTS.put("broker-tls-key", null);
        DEFAULTS.put("broker-tls-trust", null);
        DEFAULTS.put("admin-tls-cert", null);
        DEFAULTS.put("admin-tls-key", null);
        DEFAULTS.put("zk-connect", "127.0.0.1:2181");
        DEFAULTS.put("zk-root", "/topaz");
        DEFAULTS.put("data-dir", null);
        DEFAULTS.put("zk-session-timeout", "30s");
        DEFAULTS.put("zk-connection-timeout", "10s");
        DEFAULTS.put("zk-auth-file", null);
        DEFAULTS.put("zk-auth", null);
        DEFAULTS.put("control-url", null);
        DEFAULTS.put("agent-token", null);
        DEFAULTS.put("redis-uri", null);
        DEFAULTS.put("redis-prefix", MetadataSettings.DEFAULT_REDIS_PREFIX);
        DEFAULTS.put("transport", "auto");
        DEFAULTS.put("event-loops", "0");
        DEFAULTS.put("broker-redelivery-timeout", "60s");
        DEFAULTS.put("broker-max-attempts", "16");
        DEFAULTS.put("broker-backoff", "scaled");
        DEFAULTS.put("broker-retention", "3d");
        DEFAULTS.put("broker-durability", "group-commit");
        DEFAULTS.put("broker-backlog-cap", "0");
        DEFAULTS.put("push-idle-timeout", "5m");
        DEFAULTS.put("push-window", "1000");
        DEFAULTS.put("push-slow-consumer-timeout", "60s");
        DEFAULTS.put("push-poll-interval", "100ms");
        DEFAULTS.put("push-max-frame", "1m");
        DEFAULTS.put("push-confirm-heap", "65536");
        DEFAULTS.put("push-confirm-direct", "16m");
        DEFAULTS.put("orders-db-url", null);
    }

    public AgentSettings {
        require(id != null && id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}"), "id", id,
                "letters, digits, '.', '-' and '_', at most 128 characters");
        require(zone != null && !zone.isBlank(), "zone", zone, "must not be empty");
        require(cluster != null && !cluster.isBlank(), "cluster", cluster, "must not be empty");
        require(host != null && !host.isBlank(), "host", host, "must not be empty");
        port("admin-port", adminPort);
        port("gateway-port", gatewayPort);
        port("broker-port", brokerPort);
        require(zkConnect != null && !zkConnect.isBlank(), "zk-connect", zkConnect, "must be host:port[,host:port…]");
        require(zkRoot != null && zkRoot.startsWith("/") && !zkRoot.endsWith("/"), "zk-root", zkRoot,
                "must start with '/' and not end with one");
        require(dataDir != null, "data-dir", null, "is required");
        require(zkSessionTimeout != null && !zkSessionTimeout.isNegative() && !zkSessionTimeout.isZero(),
                "zk-session-timeout", zkSessionTimeout, "must be positive");
        require(zkConnectionTimeout != null && !zkConnectionTimeout.isNegative() && !zkConnectionTimeout.isZero(),
                "zk-connection-timeout", zkConnectionTimeout, "must be positive");
        version = version == null ? "dev" : version;
        metadata = metadata == null ? MetadataSettings.none() : metadata;
        transport = transport == null ? Transport.IO_URING : transport;
        require(eventLoops >= 0 && eventLoops <= 1024, "event-loops", eventLoops,
                "must be between 0 (one per core) and 1024");
        broker = broker == null ? BrokerSettings.defaults() : broker;
        push = push == null ? PushSettings.defaults() : push;
    }

    /** Settings for tests and embedding: only the essentials, the rest defaulted. */
    public static AgentSettings of(String id, String zkConnect, Path dataDir) {
        return new AgentSettings(id, "default", "default", "127.0.0.1", 0, 0, 0, zkConnect, "/topaz", dataDir,
                null, Duration.ofSeconds(30), Duration.ofSeconds(10), MetadataSettings.none(), Transport.IO_URING, 0, null, null, null,
                null, null, null, null);
    }

    public AgentSettings withZkRoot(String root) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, root, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, transport, eventLoops, zkAuth, broker, tls, brokerTls,
                push, ordersDbUrl, adminTls);
    }

    public AgentSettings withZkTimeouts(Duration session, Duration connection) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, zkRoot, dataDir,
                version, session, connection, metadata, transport, eventLoops, zkAuth, broker, tls, brokerTls,
                push, ordersDbUrl, adminTls);
    }

    public AgentSettings withGatewayPort(int port) {
        return new AgentSettings(id, zone, cluster, host, adminPort, port, brokerPort, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, transport, eventLoops, zkAuth, broker, tls, brokerTls,
                push, ordersDbUrl, adminTls);
    }

    /** The same settings authenticating to ZooKeeper as {@code credentials} (null for none). */
    public AgentSettings withZkAuth(ZkCredentials credentials) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, transport, eventLoops, credentials, broker, tls, brokerTls,
                push, ordersDbUrl, adminTls);
    }

    public AgentSettings withBrokerPort(int port) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, port, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, transport, eventLoops, zkAuth, broker, tls, brokerTls,
                push, ordersDbUrl, adminTls);
    }

    public AgentSettings withTransport(Transport newTransport) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, newTransport, eventLoops, zkAuth, broker, tls, brokerTls,
                push, ordersDbUrl, adminTls);
    }

    /** The number of gateway event loops to start: {@code --event-loops}, or one per available core when it is 0. */
    public int gatewayEventLoops() {
        return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    }

    public AgentSettings withMetadata(MetadataSettings newMetadata) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, newMetadata, transport, eventLoops, zkAuth, broker, tls, brokerTls,
                push, ordersDbUrl, adminTls);
    }

    public AgentSettings withPlacement(String zone, String cluster) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, transport, eventLoops, zkAuth, broker, tls, brokerTls,
                push, ordersDbUrl, adminTls);
    }

    /**
     * Parses {@code --name=value} flags, falling back to {@code TOPAZ_NAME} in {@code env}, then to defaults.
     *
     * @throws IllegalArgumentException naming the flag, the value and the rule, for the first problem found
     */
    public static AgentSettings parse(List<String> args, Map<String, String> env, String version) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("argument '" + arg + "' must look like --name=value (see --help)");
            }
            String name = arg.substring(2, arg.indexOf('='));
            if (!DEFAULTS.containsKey(name)) {
                throw new IllegalArgumentException("unknown flag --" + name + "; known: --" + String.join(", --", DEFAULTS.keySet()));
            }
            values.put(name, arg.substring(arg.indexOf('=') + 1));
        }
        for (String name : DEFAULTS.keySet()) {
            if (!values.containsKey(name)) {
                String fromEnv = env.get(envName(name));
                if (fromEnv != null && !fromEnv.isBlank()) {
                    values.put(name, fromEnv);
                } else if (DEFAULTS.get(name) != null) {
                    values.put(name, DEFAULTS.get(name));
                }
            }
        }
        String id = values.get("id");
        if (id == null) {
            throw new IllegalArgumentException("--id is required (or TOPAZ_AGENT_ID): a name unique in the fleet, e.g. agent-1");
        }
        String host = values.getOrDefault("host", localHost());
        Path dataDir = Path.of(values.getOrDefault("data-dir", "data/" + id));
        return new AgentSettings(id, values.get("zone"), values.get("cluster"), host,
                integer(values, "admin-port"), integer(values, "gateway-port"), integer(values, "broker-port"),
                values.get("zk-connect"), values.get("zk-root"), dataDir, version,
                duration(values, "zk-session-timeout"), duration(values, "zk-connection-timeout"),
                new MetadataSettings(values.get("control-url"), values.get("agent-token"), values.get("redis-uri"),
                        values.get("redis-prefix")), Transport.parse(values.get("transport")),
                integer(values, "event-loops"), zkAuth(values), brokerSettings(values), TlsFlags.gateway(values),
                TlsFlags.broker(values), PushFlags.parse(values), blankToNull(values.get("orders-db-url")),
                TlsFlags.admin(values));
    }

    public AgentSettings withPush(PushSettings newPush) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, transport, eventLoops, zkAuth, broker, tls,
                brokerTls, newPush, ordersDbUrl, adminTls);
    }

    /** {@code 123}, {@code 64k}, {@code 16m}, {@code 1g} (binary multiples); -1 when it is none of these. */
    static long bytes(String value) {
        String v = value.trim().toLowerCase();
        long unit = v.endsWith("k") ? 1024 : v.endsWith("m") ? 1024 * 1024 : v.endsWith("g") ? 1024L * 1024 * 1024 : 1;
        try {
            long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1));
            return n < 0 || n > Long.MAX_VALUE / unit ? -1 : n * unit;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    public AgentSettings withBroker(BrokerSettings newBroker) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, transport, eventLoops, zkAuth, newBroker, tls, brokerTls,
                push, ordersDbUrl, adminTls);
    }

    /** The same settings running the order sync against {@code jdbcUrl} (null: no sync). */
    public AgentSettings withOrdersDb(String jdbcUrl) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, transport, eventLoops, zkAuth, broker, tls,
                brokerTls, push, jdbcUrl, adminTls);
    }

    /** The same settings with TLS on the broker port ({@code tls}; null: plain). */
    public AgentSettings withBrokerTls(BrokerTls tls) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, transport, eventLoops, zkAuth, broker, this.tls,
                tls, push, ordersDbUrl, adminTls);
    }

    /** The same settings serving https on the gateway port with {@code files} (null: plain http). */
    public AgentSettings withTls(TlsFiles files) {
        return new AgentSettings(id, zone, cluster, host, adminPort, gatewayPort, brokerPort, zkConnect, zkRoot, dataDir,
                version, zkSessionTimeout, zkConnectionTimeout, metadata, transport, eventLoops, zkAuth, broker, files, brokerTls,
                push, ordersDbUrl, adminTls);
    }

    private static BrokerSettings brokerSettings(Map<String, String> values) {
        long cap;
        try {
            cap = Long.parseLong(values.get("broker-backlog-cap").trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--broker-backlog-cap must be a number of messages (0: no cap), was '"
                    + values.get("broker-backlog-cap") + "'");
        }
        return new BrokerSettings(duration(values, "broker-redelivery-timeout"), integer(values, "broker-max-attempts"),
                duration(values, "broker-retention"), BrokerSettings.durability(values.get("broker-durability")), cap,
                BrokerSettings.backoff(values.get("broker-backoff"), level -> duration(level, "broker-backoff")));
    }

    /** {@code --zk-auth-file} (preferred: the secret stays out of the process list) or {@code --zk-auth}, not both. */
    private static ZkCredentials zkAuth(Map<String, String> values) {
        String inline = values.get("zk-auth");
        String file = values.get("zk-auth-file");
        if (inline != null && file != null) {
            throw new IllegalArgumentException("--zk-auth and --zk-auth-file are both set (flags or TOPAZ_ZK_AUTH / "
                    + "TOPAZ_ZK_AUTH_FILE); set one");
        }
        if (file != null) {
            return ZkCredentials.read(Path.of(file.strip()), "--zk-auth-file");
        }
        return inline == null ? null : ZkCredentials.parse(inline, "--zk-auth");
    }

    static String envName(String flag) {
        return flag.equals("id") ? "TOPAZ_AGENT_ID" : "TOPAZ_" + flag.toUpperCase().replace('-', '_');
    }

    private static int integer(Map<String, String> values, String name) {
        try {
            return Integer.parseInt(values.get(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, was '" + values.get(name) + "'");
        }
    }

    /** Accepts {@code 500ms}, {@code 30s}, {@code 2m}, {@code 72h}, {@code 3d} or ISO-8601 ({@code PT30S}). */
    static Duration duration(Map<String, String> values, String name) {
        return duration(values.get(name), name);
    }

    static Duration duration(String value, String name) {
        String v = value.trim().toLowerCase();
        try {
            if (v.startsWith("pt")) {
                return Duration.parse(v.toUpperCase());
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("d")) {
                return Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1)));
            }
        } catch (RuntimeException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("--" + name + " must be a duration such as 500ms, 30s, 2m, 72h or 3d, was '"
                + value + "'");
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "127.0.0.1";
        }
    }

    private static void port(String name, int port) {
        require(port >= 0 && port <= 65535, name, port, "must be between 0 and 65535");
    }

    static void require(boolean ok, String name, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException("--" + name + " " + rule + ", was " + (value == null ? "missing" : "'" + value + "'"));
        }
    }
}
