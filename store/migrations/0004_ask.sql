-- Ask: the article at hand and the reader's last questions.

-- Extracted articles, compressed by the core, so a question about a recently
-- summarised link needs no second fetch. One row per normalised URL.
CREATE TABLE articles (
    norm_url   TEXT NOT NULL PRIMARY KEY,
    data       BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX articles_created ON articles (created_at);

-- The last questions (and answers) of a member about an article, sent along
-- as context with the next question. At most a few rows per key are kept.
CREATE TABLE ask_turns (
    guild_id TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    norm_url TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer   TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, norm_url, asked_at)
);
CREATE INDEX ask_turns_asked ON ask_turns (asked_at);
