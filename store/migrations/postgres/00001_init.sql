-- +goose Up
-- The PostgreSQL form of migrations/sqlite/00001_init.sql: same tables,
-- same meaning (see there).
CREATE TABLE cases (
    num        BIGINT  PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    state      TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    doc        TEXT    NOT NULL,
    doc_sha256 TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE TABLE audit_log (
    seq     BIGINT PRIMARY KEY,
    subject TEXT   NOT NULL,
    entry   TEXT   NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);

CREATE TABLE audit_checkpoints (
    size BIGINT PRIMARY KEY,
    note TEXT   NOT NULL,
    tree TEXT   NOT NULL
);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP INDEX audit_log_subject;
DROP TABLE audit_log;
DROP TABLE cases;
