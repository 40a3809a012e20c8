package io.topaz.control.security;

import com.zaxxer.hikari.HikariDataSource;
import io.topaz.control.web.ApiException;
import io.topaz.model.testing.MutableClock;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Token expiry, kept revocations and the last admin token, against the real schema (Flyway) with a clock the test
 * moves. Runs on H2 here and on PostgreSQL in {@link PostgresTokenStoreTest}.
 */
class TokenStoreTest {

    private static final Instant START = Instant.parse("2026-12-01T08:00:00Z");

    protected final MutableClock clock = new MutableClock(START);
    protected HikariDataSource dataSource;
    protected JdbcClient jdbc;
    protected TokenStore store;

    /** A fresh, empty database's JDBC URL; user and password in {@link #user()}. */
    protected String newDatabase() {
        return "jdbc:h2:mem:tokens-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }

    protected String user() {
        return "sa";
    }

    /** How many sessions now wait for another's row lock. */
    protected long sessionsWaitingForALock() {
        return jdbc.sql("select count(*) from information_schema.sessions where blocker_id is not null")
                .query(Long.class).single();
    }

    @BeforeEach
    void migrate() {
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(newDatabase());
        dataSource.setUsername(user());
        dataSource.setMaximumPoolSize(4);
        Flyway.configure().dataSource(dataSource).load().migrate();
        jdbc = JdbcClient.create(dataSource);
        // the production cache TTL, so the tests also show a cached token stops working when it expires
        store = new TokenStore(jdbc, new DataSourceTransactionManager(dataSource), clock,
                new SecurityProperties("", Path.of("unused"), Duration.ofSeconds(10)));
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void anExpiredTokenIsRefusedEvenWhenCachedAndListedAsExpired() {
        String secret = store.create("ci", Role.OPERATOR, "admin", START.plusSeconds(60));
        assertThat(store.authenticate(secret)).map(TokenStore.Principal::name).contains("ci");

        clock.advance(Duration.ofSeconds(59));
        assertThat(store.authenticate(secret)).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(store.authenticate(secret)).isEmpty();

        OperatorToken listed = store.list().get(0);
        assertThat(listed.status()).isEqualTo(OperatorToken.Status.EXPIRED);
        assertThat(listed.expiresAt()).isEqualTo("2026-12-01T08:01:00Z");
    }

    @Test
    void aRevokedTokenIsRefusedButKeptWithItsTimeAndItsNameCanBeReused() {
        store.create("admin-2", Role.ADMIN, "bootstrap");
        String secret = store.create("agents", Role.AGENT, "admin");
        clock.advance(Duration.ofMinutes(5));

        assertThat(store.revoke("agents", "alice")).isTrue();
        assertThat(store.authenticate(secret)).isEmpty();
        assertThat(store.revoke("agents", "alice")).isFalse();

        OperatorToken revoked = store.list().stream().filter(t -> t.name().equals("agents")).findFirst().orElseThrow();
        assertThat(revoked.status()).isEqualTo(OperatorToken.Status.REVOKED);
        assertThat(revoked.revokedAt()).isEqualTo("2026-12-01T08:05:00Z");
        assertThat(revoked.revokedBy()).isEqualTo("alice");

        String again = store.create("agents", Role.AGENT, "admin");
        assertThat(store.authenticate(again)).isPresent();
        assertThat(store.list()).filteredOn(t -> t.name().equals("agents"))
                .extracting(OperatorToken::status).containsExactly(OperatorToken.Status.ACTIVE, OperatorToken.Status.REVOKED);
        assertThatThrownBy(() -> store.create("agents", Role.AGENT, "admin"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("is active"));
    }

    @Test
    void theLastUsableAdminTokenCannotBeRevoked() {
        store.create("root", Role.ADMIN, "bootstrap");
        store.create("ops", Role.OPERATOR, "root");
        store.create("temp-admin", Role.ADMIN, "root", START.plusSeconds(60));

        clock.advance(Duration.ofMinutes(2));   // temp-admin has expired: it does not count as another admin
        assertThatThrownBy(() -> store.revoke("root", "root"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("last usable ADMIN token");
                });
        assertThat(store.list()).filteredOn(t -> t.name().equals("root"))
                .extracting(OperatorToken::status).containsExactly(OperatorToken.Status.ACTIVE);

        assertThat(store.revoke("ops", "root")).isTrue();            // other roles: no such rule
        assertThat(store.revoke("temp-admin", "root")).isTrue();     // an expired admin token may go
        store.create("root-2", Role.ADMIN, "root");
        assertThat(store.revoke("root", "root-2")).isTrue();         // once another admin exists, it may
    }

    @Test
    void theConfiguredAdminSecretIsReinstatedEvenAfterItsTokenWasRevokedAndItsNameReused() {
        String configured = store.newSecret();
        store.ensure("bootstrap-admin", Role.ADMIN, configured);
        store.create("other-admin", Role.ADMIN, "bootstrap-admin");
        assertThat(store.revoke("bootstrap-admin", "other-admin")).isTrue();
        String impostor = store.create("bootstrap-admin", Role.VIEWER, "other-admin", START.plusSeconds(1));

        store.ensure("bootstrap-admin", Role.ADMIN, configured);   // a restart with the same configuration

        assertThat(store.authenticate(configured)).contains(new TokenStore.Principal("bootstrap-admin", Role.ADMIN));
        assertThat(store.authenticate(impostor)).isEmpty();
        clock.advance(Duration.ofDays(365));
        assertThat(store.authenticate(configured)).isPresent();

        String rotated = store.newSecret();
        store.ensure("bootstrap-admin", Role.ADMIN, rotated);      // a restart with a new secret configured
        assertThat(store.authenticate(rotated)).isPresent();
        assertThat(store.authenticate(configured)).isEmpty();
    }

    /**
     * Two admins revoke each other at once. The first revocation holds its transaction open; the second must wait for
     * it and then be refused. Without the lock the second sees the first's uncommitted revocation as not yet made,
     * revokes too, and no admin token is left.
     */
    @Test
    void twoConcurrentRevocationsCannotRemoveEveryAdminToken() throws Exception {
        store.create("admin-a", Role.ADMIN, "bootstrap");
        store.create("admin-b", Role.ADMIN, "bootstrap");
        CountDownLatch firstRevoked = new CountDownLatch(1);
        CountDownLatch commitFirst = new CountDownLatch(1);
        TransactionTemplate outer = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> outer.execute(status -> {
            boolean revoked = store.revoke("admin-a", "admin-b");   // joins this still open transaction
            firstRevoked.countDown();
            try {
                assertThat(commitFirst.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return revoked;
        }));
        assertThat(firstRevoked.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> store.revoke("admin-b", "admin-a"));
        await().atMost(Duration.ofSeconds(20)).until(() -> second.isDone() || sessionsWaitingForALock() > 0);
        commitFirst.countDown();

        assertThat(first.get(30, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> second.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(409));
        assertThat(store.list()).filteredOn(t -> t.status() == OperatorToken.Status.ACTIVE)
                .extracting(OperatorToken::name).containsExactly("admin-b");
    }
}
