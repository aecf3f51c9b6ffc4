-- Not idempotent on purpose: a second run would leave two rows, so tests can tell.
INSERT INTO seeds (note) VALUES ('seeded once');
