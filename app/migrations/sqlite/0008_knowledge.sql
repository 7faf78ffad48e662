-- The knowledge base: articles with their version history, full-text search, votes, the tickets
-- they solved, and the requests they deflected (solved before a ticket was raised).
CREATE TABLE articles (
    id              INTEGER PRIMARY KEY,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    -- comma-separated, lower case
    tags            TEXT    NOT NULL DEFAULT '',
    visibility      TEXT    NOT NULL CHECK (visibility IN ('internal', 'clients', 'organization')),
    -- the one client an 'organization' article is for
    org_id          BIGINT  REFERENCES organizations (id),
    author_id       BIGINT  NOT NULL REFERENCES users (id),
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    version         BIGINT  NOT NULL DEFAULT 1,
    views           BIGINT  NOT NULL DEFAULT 0,
    helpful         BIGINT  NOT NULL DEFAULT 0,
    not_helpful     BIGINT  NOT NULL DEFAULT 0,
    -- the resolved ticket the article was written from
    source_ticket_id BIGINT REFERENCES tickets (id),
    CHECK ((visibility = 'organization') = (org_id IS NOT NULL))
);
CREATE INDEX articles_recent ON articles (updated_at DESC, id DESC);

CREATE TABLE article_versions (
    article_id  BIGINT  NOT NULL REFERENCES articles (id),
    version     BIGINT  NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    tags        TEXT    NOT NULL,
    visibility  TEXT    NOT NULL,
    org_id      BIGINT,
    edited_by   BIGINT  NOT NULL REFERENCES users (id),
    edited_at   BIGINT  NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, body, tags, content = 'articles', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body, tags ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body, tags) VALUES ('delete', old.id, old.title, old.body, old.tags);
    INSERT INTO articles_fts (rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
END;

-- one vote per person and article; a person may change their mind
CREATE TABLE article_votes (
    article_id  BIGINT  NOT NULL REFERENCES articles (id),
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    helpful     BOOLEAN NOT NULL,
    voted_at    BIGINT  NOT NULL,
    PRIMARY KEY (article_id, user_id)
);

-- an article linked from a ticket (inserted into a reply, or the ticket it was written from)
CREATE TABLE ticket_articles (
    ticket_id   BIGINT  NOT NULL REFERENCES tickets (id),
    article_id  BIGINT  NOT NULL REFERENCES articles (id),
    linked_by   BIGINT  NOT NULL REFERENCES users (id),
    linked_at   BIGINT  NOT NULL,
    PRIMARY KEY (ticket_id, article_id)
);
CREATE INDEX ticket_articles_by_article ON ticket_articles (article_id);

-- "this solved it" on a suggestion: a request that never became a ticket
CREATE TABLE deflections (
    id          INTEGER PRIMARY KEY,
    article_id  BIGINT  NOT NULL REFERENCES articles (id),
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    at          BIGINT  NOT NULL
);
CREATE INDEX deflections_by_article ON deflections (article_id);
