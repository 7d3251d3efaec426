-- Precis schema, version 2: exactly-once digests under faults, and feed item
-- retention.
--
-- digest_runs is rebuilt (SQLite cannot change a CHECK constraint in place):
--   - status 'retry': posting failed before any message went out; the run may
--     be claimed again from next_attempt on (attempts counts failed attempts).
--   - lease_until: the owner's claim holds until then; the owner extends it
--     while it works (RenewDigestRun). Claims in flight during the upgrade are
--     given lease_until = claimed_at, i.e. they count as expired: stop old
--     processes before upgrading, as for any schema change.
--   - last_error: why the last attempt failed, for /digest status.
CREATE TABLE digest_runs_v2 (
    channel_id   TEXT   NOT NULL,
    local_date   TEXT   NOT NULL,
    owner        TEXT   NOT NULL,
    status       TEXT   NOT NULL CHECK (status IN ('claimed', 'retry', 'done')),
    report       TEXT   NOT NULL,
    claimed_at   TEXT   NOT NULL,
    lease_until  TEXT   NOT NULL,
    finished_at  TEXT,
    attempts     BIGINT NOT NULL,
    next_attempt TEXT,
    last_error   TEXT   NOT NULL,
    PRIMARY KEY (channel_id, local_date)
);
INSERT INTO digest_runs_v2
    (channel_id, local_date, owner, status, report, claimed_at, lease_until, finished_at, attempts, next_attempt, last_error)
    SELECT channel_id, local_date, owner, status, report, claimed_at, claimed_at, finished_at, 0, NULL, ''
    FROM digest_runs;
DROP TABLE digest_runs;
ALTER TABLE digest_runs_v2 RENAME TO digest_runs;

-- The messages a run has posted, recorded one by one as they are posted, so
-- an instance that takes a run over knows what is already in the channel.
CREATE TABLE digest_run_messages (
    channel_id TEXT   NOT NULL,
    local_date TEXT   NOT NULL,
    seq        BIGINT NOT NULL,
    message_id TEXT   NOT NULL,
    owner      TEXT   NOT NULL,
    posted_at  TEXT   NOT NULL,
    PRIMARY KEY (channel_id, local_date, message_id),
    FOREIGN KEY (channel_id, local_date) REFERENCES digest_runs (channel_id, local_date) ON DELETE CASCADE
);

-- last_seen is the latest poll that still listed the item: items a feed has
-- dropped long ago are pruned by it, while an undated item the feed still
-- lists is kept (deleting it would bring it back as new on the next poll).
ALTER TABLE feed_items ADD COLUMN last_seen TEXT;
UPDATE feed_items SET last_seen = seen_at;
CREATE INDEX feed_items_last_seen ON feed_items (last_seen);
