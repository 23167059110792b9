-- +goose Up
-- Review cases: one JSON document per case (the review package owns its
-- shape), with the columns needed to find and lock it.
CREATE TABLE cases (
    num        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    state      TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    doc        TEXT    NOT NULL,
    doc_sha256 TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

-- The append-only audit log: each entry is the canonical JSON of an
-- audit.Record and a leaf of the Merkle tree.
CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    entry   TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);

-- A signed checkpoint after every append, with the compact-range hashes
-- that let the next append continue the tree.
CREATE TABLE audit_checkpoints (
    size INTEGER PRIMARY KEY,
    note TEXT NOT NULL,
    tree TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP INDEX audit_log_subject;
DROP TABLE audit_log;
DROP TABLE cases;
