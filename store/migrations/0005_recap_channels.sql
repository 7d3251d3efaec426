-- Channels where an admin allowed recaps (issue 12): members' messages go to
-- the model only there. A row means allowed; no row, the default, means not.
-- Threads follow their parent channel's row.
CREATE TABLE recap_channels (
    guild_id   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);
