-- Runs on H2 (the embedded default) and PostgreSQL.
-- Order-sync targets' database passwords (issue 18): not config, never in a release. AES-GCM ciphertext under the same
-- key as app secrets ("v2:<keyid>:…", see SecretCipher), bound to the target's name; moved to a new key by
-- POST /api/v1/apps/secrets/reencrypt with the app secrets. version counts the changes of one target's password.
create table sync_target_password (
    target_name       varchar(255)  primary key,
    password          varchar(2048) not null,
    version           bigint        not null,
    updated_by        varchar(128)  not null,
    updated_at_millis bigint        not null
);
