-- The requester's rating of the help on a resolved ticket: one per ticket, never changed.
CREATE TABLE ticket_ratings (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment TEXT,
    rated_by BIGINT NOT NULL REFERENCES users (id),
    rated_at BIGINT NOT NULL
);
CREATE INDEX ticket_ratings_by_time ON ticket_ratings (rated_at);
