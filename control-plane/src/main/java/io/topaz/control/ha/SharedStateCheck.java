package io.topaz.control.ha;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Refuses to start a control plane whose ZooKeeper is external (so other control planes may join it) but whose
 * database is H2. An H2 file or in-memory database belongs to one process: a second instance would either fail to open
 * it or, worse, open a database of its own and silently keep other tokens, apps and audit rows than the first, while
 * sharing its config. The embedded ZooKeeper with H2 (the quickstart) stays allowed: nothing else can join it.
 *
 * <p>Runs before any bean exists, so the refusal comes before anything is started or written.
 */
public class SharedStateCheck implements EnvironmentPostProcessor, Ordered {

    static final String ALLOW = "topaz.ha.allow-h2-with-external-zookeeper";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        String connect = env.getProperty("topaz.zookeeper.connect-string", "");
        String url = env.getProperty("spring.datasource.url", "");
        refuseUnshareable(connect, url, Boolean.parseBoolean(env.getProperty(ALLOW, "false")));
    }

    /** @throws IllegalStateException naming what to change when {@code url} is H2 and ZooKeeper is external */
    static void refuseUnshareable(String zookeeperConnect, String datasourceUrl, boolean allowed) {
        if (zookeeperConnect == null || zookeeperConnect.isBlank() || allowed) {
            return;
        }
        if (datasourceUrl != null && datasourceUrl.regionMatches(true, 0, "jdbc:h2:", 0, 8)) {
            String which = datasourceUrl.regionMatches(true, 8, "mem:", 0, 4) ? "an in-memory" : "a file";
            throw new IllegalStateException("refusing to start: topaz.zookeeper.connect-string names an external "
                    + "ZooKeeper, which other control planes can join, but spring.datasource.url is " + which
                    + " H2 database, which only this process can use — a second control plane would keep its own "
                    + "tokens, apps and audit log. Use PostgreSQL (or MySQL/MariaDB) shared by every instance: "
                    + "spring.datasource.url=jdbc:postgresql://host:5432/topaz (see docs/operations.md, \"Running two "
                    + "control planes\"); or drop topaz.zookeeper.connect-string for the embedded ZooKeeper of a single "
                    + "instance; or, for one instance only, set " + ALLOW + "=true");
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE; // after every property source has been read
    }
}
