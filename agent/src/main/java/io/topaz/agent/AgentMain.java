package io.topaz.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Runs an agent from the command line: {@code java -jar agent.jar --id=agent-1 --zk-connect=127.0.0.1:2181 …}. */
public final class AgentMain {

    private static final Logger log = LoggerFactory.getLogger(AgentMain.class);

    private AgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        List<String> list = Arrays.asList(args);
        if (list.contains("--help") || list.contains("-h")) {
            System.out.println(usage()); // the command's own output, asked for, not a log line
            return;
        }
        AgentSettings settings;
        try {
            String version = AgentMain.class.getPackage().getImplementationVersion();
            settings = AgentSettings.parse(list, System.getenv(), version);
        } catch (IllegalArgumentException e) {
            log.error("topaz agent: {} (--help lists the flags)", e.getMessage());
            System.exit(2);
            return;
        }
        TopazAgent agent;
        try {
            agent = TopazAgent.start(settings, Clock.systemUTC());
        } catch (RuntimeException e) {
            log.error("topaz agent: cannot start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "agent-shutdown"));
        stopped.await();
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: java -jar agent.jar --name=value …\n\nflags (environment variable, default):\n");
        AgentSettings.DEFAULTS.forEach((name, def) -> sb.append(String.format("  --%-22s %-28s %s%n", name,
                AgentSettings.envName(name), def == null ? (name.equals("id") ? "(required)"
                        : name.startsWith("zk-auth") ? "(none: open ACLs)"
                        : name.startsWith("tls-") ? "(none: plain http)" : "(derived)") : def)));
        return sb.toString();
    }
}
