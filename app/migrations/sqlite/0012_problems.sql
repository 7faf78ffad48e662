-- Problem records: a recurring problem seen as one, with the tickets it caused. A lead or manager
-- makes one from a group of alike tickets on the reports page; each linked ticket's timeline says so.
CREATE TABLE problems (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL CHECK (title <> ''),
    note        TEXT    NOT NULL DEFAULT '',
    created_by  BIGINT  NOT NULL REFERENCES users (id),
    created_at  BIGINT  NOT NULL
);
CREATE INDEX problems_recent ON problems (created_at, id);

CREATE TABLE problem_tickets (
    problem_id  BIGINT NOT NULL REFERENCES problems (id),
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    PRIMARY KEY (problem_id, ticket_id)
);
-- "which problems is this ticket part of"
CREATE INDEX problem_tickets_by_ticket ON problem_tickets (ticket_id);
