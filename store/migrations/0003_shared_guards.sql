-- Precis schema, version 3: guards shared by every process on one database.
--
--   - quota_windows: hourly allowances per member ("u:<id>") and per server
--     ("g:<id>"), one row per key and UTC hour, taken atomically.
--   - guild_usage.reserved: LLM tokens reserved by jobs in flight, so that
--     concurrent jobs (in any process) cannot all pass the daily budget.
--   - summary_claims: the process making a link's summary holds its cache
--     key until lease_until; the others wait for the stored result, so a
--     link pasted in two shards at once costs one model call.
CREATE TABLE quota_windows (
    scope_key    TEXT   NOT NULL,
    window_start TEXT   NOT NULL,
    used         BIGINT NOT NULL,
    PRIMARY KEY (scope_key, window_start)
);
ALTER TABLE guild_usage ADD COLUMN reserved BIGINT NOT NULL DEFAULT 0;
CREATE TABLE summary_claims (
    cache_key   TEXT NOT NULL PRIMARY KEY,
    owner       TEXT NOT NULL,
    lease_until TEXT NOT NULL
);
