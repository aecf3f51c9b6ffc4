CREATE TABLE broken_ok (x INTEGER);
