-- +goose Up
-- Vendor profiles (supplier.Profile): one JSON document per vendor, keyed
-- by the case-folded legal name. Every import appends an audit record
-- (subject "vendor:<key>") holding the document's SHA-256, so Store.Verify
-- checks profiles as it checks cases.
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
