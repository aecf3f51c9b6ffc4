-- A second module beside localdbtest, for LocalDbTest: migrations are recorded per module.
CREATE TABLE others (x INTEGER);
