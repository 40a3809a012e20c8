package io.topaz.control.security;

import io.topaz.control.TestServices;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

/** {@link TokenStoreTest} on PostgreSQL, where row locks and visibility are PostgreSQL's own. */
class PostgresTokenStoreTest extends TokenStoreTest {

    private final List<String> databases = new ArrayList<>();

    @Override
    protected String newDatabase() {
        String url = TestServices.createPostgresDatabase();
        databases.add(url);
        return url;
    }

    @Override
    protected String user() {
        return TestServices.PG_USER;
    }

    @Override
    protected long sessionsWaitingForALock() {
        return jdbc.sql("select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'")
                .query(Long.class).single();
    }

    @AfterEach
    void drop() {
        dataSource.close();
        databases.forEach(TestServices::dropPostgresDatabase);
    }
}
