-- The summary length for links pasted in a channel (/precis settings
-- length:); '' means normal.
ALTER TABLE channel_settings ADD COLUMN summary_length TEXT NOT NULL DEFAULT ''
    CHECK (summary_length IN ('', 'short', 'normal', 'detailed'));
