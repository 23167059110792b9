-- +goose Up
-- The PostgreSQL form of migrations/sqlite/00002_vendor_profiles.sql:
-- same table, same meaning (see there).
CREATE TABLE vendor_profiles (
    key        TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    doc        TEXT    NOT NULL,
    doc_sha256 TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

-- +goose Down
DROP TABLE vendor_profiles;
