package io.topaz.control.ha;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.control.TestZooKeeper;
import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.audit.AuditOutbox;
import io.topaz.control.traffic.TrafficPoller;
import io.topaz.control.traffic.TrafficProperties;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A leader that died between a publish's ZooKeeper commit and its audit insert leaves the record in the outbox; the
 * instance taking over moves it at once, not at the next periodic sweep (30 s by default), so a live release has its
 * audit row as soon as someone leads again.
 */
class TakeoverReplaysTheOutboxTest {

    @Test
    void takingOverMovesWhatThePredecessorLeftInTheOutbox() throws Exception {
        String root = TestZooKeeper.uniqueRoot();
        var db = new DriverManagerDataSource("jdbc:h2:mem:takeover-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        JdbcClient jdbc = JdbcClient.create(db);
        ZkLayout layout = new ZkLayout(root);
        Clock clock = Clock.systemUTC();
        try (CuratorFramework curator = CuratorFrameworkFactory.newClient(TestZooKeeper.connectString(), new RetryOneTime(100))) {
            curator.start();
            AuditOutbox outbox = new AuditOutbox(curator, layout, new AuditLog(jdbc, clock), clock);
            // what the dead leader committed with its publish, never moved into the database
            AuditOutbox.Entry left = outbox.entry("alice", AuditAction.PUBLISH, null, null, 7L, null, null);
            curator.transaction().forOperations(outbox.op(left));
            assertThat(outbox.pending()).isEqualTo(1);

            TrafficPoller idle = new TrafficPoller(null, new TrafficProperties(Duration.ofHours(1),
                    Duration.ofSeconds(1), 10), clock, new SimpleMeterRegistry(), () -> false);
            SingletonTasks tasks = new SingletonTasks(null, null, outbox, idle);
            tasks.onLeadership(new Leadership.LeadershipChanged(false));
            assertThat(outbox.pending()).as("a follower leaves the sweep to the leader").isEqualTo(1);

            tasks.onLeadership(new Leadership.LeadershipChanged(true));
            assertThat(outbox.pending()).isZero();
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'PUBLISH' and release_no = 7")
                    .query(Long.class).single()).isEqualTo(1L);
            idle.close();
        }
    }
}
