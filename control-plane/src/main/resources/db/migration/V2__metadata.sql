-- Apps, sellers and sessions: metadata too large to push whole to agents (issue 3). Runs on H2 and PostgreSQL.
-- Times are epoch milliseconds. Secrets are AES-GCM ciphertext (see SecretCipher); session keys are stored as SHA-256.
create table app (
    app_key           varchar(64)   primary key,
    name              varchar(128)  not null,
    owner             varchar(128)  not null,
    status            varchar(16)   not null,
    allowed_groups    varchar(4000) not null,
    secret_current    varchar(512)  not null,
    secret_previous   varchar(512),
    previous_retire_at_millis bigint,
    version           bigint        not null,
    created_at_millis bigint        not null,
    updated_at_millis bigint        not null
);
create index app_owner on app (owner);

create table seller (
    user_id           varchar(64)  primary key,
    nick              varchar(128) not null,
    created_at_millis bigint       not null
);

create table app_session (
    id                varchar(36)  primary key,
    key_hash          char(64)     not null unique,
    app_key           varchar(64)  not null references app (app_key),
    user_id           varchar(64)  not null references seller (user_id),
    scopes            varchar(2000) not null,
    expires_at_millis bigint       not null,
    revoked_at_millis bigint,
    version           bigint       not null,
    created_at_millis bigint       not null
);
create index app_session_app on app_session (app_key, created_at_millis);
create index app_session_user on app_session (user_id, created_at_millis);
create index app_session_expiry on app_session (expires_at_millis);
