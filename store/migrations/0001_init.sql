-- Precis schema, version 1.
--
-- Portable subset of SQL (SQLite and PostgreSQL): TEXT, BIGINT, BLOB (rewritten
-- to BYTEA for PostgreSQL), composite primary keys, no engine-specific functions.
-- Times are TEXT in UTC, fixed-width RFC 3339 with nanoseconds
-- ("2006-01-02T15:04:05.000000000Z"), so text order is time order; NULL means unset.

-- Summaries cache: key is the cache key chosen by summarize (URL + options + model).
CREATE TABLE summaries (
    cache_key  TEXT   NOT NULL PRIMARY KEY,
    norm_url   TEXT   NOT NULL,
    data       BLOB   NOT NULL,
    created_at TEXT   NOT NULL
);
CREATE INDEX summaries_norm_url_created ON summaries (norm_url, created_at);
CREATE INDEX summaries_created ON summaries (created_at);

-- Links people shared in channels; one row per (message, normalised URL).
CREATE TABLE shared_links (
    message_id TEXT NOT NULL,
    norm_url   TEXT NOT NULL,
    url        TEXT NOT NULL,
    guild_id   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    shared_at  TEXT NOT NULL,
    PRIMARY KEY (message_id, norm_url)
);
CREATE INDEX shared_links_guild_shared ON shared_links (guild_id, shared_at);

-- Per-channel behaviour; absent row = defaults (mode auto).
CREATE TABLE channel_settings (
    guild_id   TEXT   NOT NULL,
    channel_id TEXT   NOT NULL,
    mode       TEXT   NOT NULL CHECK (mode IN ('auto', 'reaction', 'off')),
    language   TEXT   NOT NULL,
    min_words  BIGINT NOT NULL CHECK (min_words >= 0),
    updated_at TEXT   NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

-- Usage counters per guild per UTC day ("2006-01-02").
CREATE TABLE guild_usage (
    guild_id  TEXT   NOT NULL,
    day       TEXT   NOT NULL,
    summaries BIGINT NOT NULL,
    tokens    BIGINT NOT NULL,
    PRIMARY KEY (guild_id, day)
);

-- Digest schedules, one per channel.
CREATE TABLE digest_schedules (
    guild_id    TEXT   NOT NULL,
    channel_id  TEXT   NOT NULL,
    digest_time TEXT   NOT NULL,
    timezone    TEXT   NOT NULL,
    sources     TEXT   NOT NULL,
    quiet_day   BIGINT NOT NULL,
    updated_at  TEXT   NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

-- Exactly-once digest runs: the row insert is the claim.
CREATE TABLE digest_runs (
    channel_id  TEXT NOT NULL,
    local_date  TEXT NOT NULL,
    owner       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('claimed', 'done')),
    report      TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (channel_id, local_date)
);

-- Feed subscriptions per channel.
CREATE TABLE feeds (
    guild_id   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    url        TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (guild_id, channel_id, url)
);
CREATE INDEX feeds_url ON feeds (url);

-- Polling state per feed URL, shared by every subscription to it.
CREATE TABLE feed_state (
    url           TEXT   NOT NULL PRIMARY KEY,
    etag          TEXT   NOT NULL,
    last_modified TEXT   NOT NULL,
    last_error    TEXT   NOT NULL,
    next_poll     TEXT,
    last_polled   TEXT,
    failures      BIGINT NOT NULL
);

-- Items seen in feeds; (feed_url, guid) is the identity.
CREATE TABLE feed_items (
    feed_url  TEXT NOT NULL,
    guid      TEXT NOT NULL,
    url       TEXT NOT NULL,
    title     TEXT NOT NULL,
    summary   TEXT NOT NULL,
    published TEXT,
    seen_at   TEXT NOT NULL,
    -- item_at is published when known, else seen_at: the time digests select by.
    item_at   TEXT NOT NULL,
    PRIMARY KEY (feed_url, guid)
);
CREATE INDEX feed_items_feed_item_at ON feed_items (feed_url, item_at);
