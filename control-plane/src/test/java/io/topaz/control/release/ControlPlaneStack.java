package io.topaz.control.release;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.control.TestZooKeeper;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.audit.AuditOutbox;
import io.topaz.control.config.ConfigService;
import io.topaz.control.config.DraftStore;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.UUID;

/**
 * One control plane's config and release services, wired as Spring wires them, on a shared ZooKeeper root and a shared
 * database: two of these are two control planes (own ZooKeeper session, own publish-lock participant, own in-flight
 * keys) working on one platform.
 */
final class ControlPlaneStack implements AutoCloseable {

    final CuratorFramework curator;
    final AuditLog auditLog;
    final AuditOutbox outbox;
    final DraftStore drafts;
    final ConfigService config;
    final ReleaseStore releaseStore;
    final ReleaseService releases;

    ControlPlaneStack(String root, DataSource db) {
        curator = CuratorFrameworkFactory.newClient(TestZooKeeper.connectString(), 10_000, 5_000,
                new ExponentialBackoffRetry(100, 3));
        curator.start();
        Clock clock = Clock.systemUTC();
        ZkLayout layout = new ZkLayout(root);
        auditLog = new AuditLog(JdbcClient.create(db), clock);
        outbox = new AuditOutbox(curator, layout, auditLog, clock);
        drafts = new DraftStore(curator, layout, clock, outbox);
        config = new ConfigService(drafts, outbox);
        releaseStore = new ReleaseStore(curator, layout);
        releases = new ReleaseService(drafts, releaseStore, outbox, new PublishKeys(curator, layout, clock), clock,
                curator, layout, new SimpleMeterRegistry());
    }

    /** A fresh in-memory H2 database with the control plane's schema. */
    static DataSource migratedDatabase() {
        DataSource db = database();
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        return db;
    }

    /** A fresh database without the schema: every audit insert fails, as when the database is down. */
    static DataSource brokenDatabase() {
        return database();
    }

    private static DataSource database() {
        return new DriverManagerDataSource("jdbc:h2:mem:stack-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    @Override
    public void close() {
        curator.close();
    }
}
