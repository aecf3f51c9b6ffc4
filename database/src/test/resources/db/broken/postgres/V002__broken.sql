-- The first statement succeeds, the second does not: the migration must roll back whole.
CREATE TABLE broken_half (x INTEGER);
THIS IS NOT SQL;
