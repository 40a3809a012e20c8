-- The message service's data (issue 16): sellers' permits of apps for topics (taobao.tmc.user.permit) and apps'
-- consumer groups with their members (taobao.tmc.group.*). Data, not config: it grows with sellers, so it lives here
-- and reaches agents through the metadata cache. Runs on H2 and PostgreSQL. Times are epoch milliseconds.

-- TOP's nicks name one seller: taobao.tmc.user.cancel and .get and the group methods address sellers by nick.
create unique index seller_nick on seller (nick);

-- A seller's permit of an app. topics is a comma-separated list, or null for "every topic the app subscribes to,
-- now and later" (TOP's permit without topics).
create table tmc_permit (
    app_key           varchar(64)   not null references app (app_key),
    user_id           varchar(64)   not null references seller (user_id),
    topics            varchar(8000),
    created_at_millis bigint        not null,
    updated_at_millis bigint        not null,
    primary key (app_key, user_id)
);
create index tmc_permit_user on tmc_permit (user_id);

-- An app's consumer groups other than "default" (which always exists and is not stored).
create table tmc_group (
    app_key           varchar(64) not null references app (app_key),
    group_name        varchar(32) not null,
    created_at_millis bigint      not null,
    updated_at_millis bigint      not null,
    primary key (app_key, group_name)
);

-- Which group of an app a seller's messages go to; a seller is in one group per app, "default" when not listed.
create table tmc_group_member (
    app_key           varchar(64) not null,
    user_id           varchar(64) not null references seller (user_id),
    group_name        varchar(32) not null,
    created_at_millis bigint      not null,
    primary key (app_key, user_id),
    foreign key (app_key, group_name) references tmc_group (app_key, group_name) on delete cascade
);
create index tmc_group_member_group on tmc_group_member (app_key, group_name);

-- The version of each cached item (a seller's permits: kind TMC_USER, key user id; an app's groups: kind TMC_GROUPS,
-- key app key), bumped by every change and carried by its metadata event, so agents' caches never go back.
create table tmc_version (
    kind     varchar(16) not null,
    item_key varchar(64) not null,
    version  bigint      not null,
    primary key (kind, item_key)
);
