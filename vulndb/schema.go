package vulndb

// schemaVersion is stored in every snapshot; a snapshot with another
// version is refused by Open and rebuilt from scratch by Update.
const schemaVersion = "4"

// schemaSQL creates an empty snapshot. Every row that came from a feed is
// owned by a source (its name in the sources table), so one source can be
// replaced without touching the others.
const schemaSQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
	name TEXT PRIMARY KEY, kind TEXT NOT NULL, url TEXT NOT NULL,
	fetched_at TEXT NOT NULL, sha256 TEXT NOT NULL, etag TEXT NOT NULL, last_modified TEXT NOT NULL,
	records INTEGER NOT NULL, skipped INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE skipped (source TEXT NOT NULL, record TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX skipped_source ON skipped(source);
CREATE TABLE advisories (
	id TEXT PRIMARY KEY, modified TEXT NOT NULL, withdrawn INTEGER NOT NULL, aliases TEXT NOT NULL,
	upstream TEXT NOT NULL, summary TEXT NOT NULL, scores BLOB NOT NULL, data BLOB NOT NULL
) WITHOUT ROWID;
-- advisories_withdrawn makes COUNT(*) read a small index, not every record.
CREATE INDEX advisories_withdrawn ON advisories(withdrawn);
-- advisories_brief covers the columns a finding needs (DB.Brief), so
-- matching reads a small index instead of the records' pages.
CREATE INDEX advisories_brief ON advisories(id, summary, upstream, scores);
CREATE TABLE advisory_sources (source TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (source, id)) WITHOUT ROWID;
CREATE INDEX advisory_sources_id ON advisory_sources(id);
CREATE TABLE affected (
	ecosystem TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, withdrawn INTEGER NOT NULL, data BLOB NOT NULL,
	PRIMARY KEY (ecosystem, name, id)
) WITHOUT ROWID;
CREATE INDEX affected_id ON affected(id);
CREATE TABLE cpes (vendor TEXT NOT NULL, product TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (vendor, product, id)) WITHOUT ROWID;
CREATE INDEX cpes_id ON cpes(id);
CREATE TABLE groups (member TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX groups_key ON groups(key);
CREATE TABLE kev (cve TEXT PRIMARY KEY, source TEXT NOT NULL, data BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, source TEXT NOT NULL, score REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE ecosystems (ecosystem TEXT PRIMARY KEY, records INTEGER NOT NULL) WITHOUT ROWID;
` + totalsSQL + briefsSQL + heavySQL

// briefsSQL creates the table of stored briefs: each alias group's (and
// each advisory's outside any group), by group key (encodeBrief), computed
// when the snapshot is built so that matching reads one row per group
// instead of joining five tables per member. Snapshots built before it
// existed lack it and are read through the join; the builder creates it
// in a copied older snapshot.
const briefsSQL = `CREATE TABLE IF NOT EXISTS briefs (key TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
`

// totalsSQL creates the table of Status counts computed when a snapshot is
// built, so that reading them (every scan does) walks no table. Snapshots
// built before it existed lack it, and their counts are computed on
// demand; the builder creates it in a copied older snapshot.
const totalsSQL = `CREATE TABLE IF NOT EXISTS totals (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
`

// totalQueries are the Status counts, by their name in the totals table.
var totalQueries = []struct{ name, query string }{
	{"advisories", `SELECT COUNT(*) FROM advisories`}, // covering index advisories_withdrawn
	{"withdrawn", `SELECT COUNT(*) FROM advisories WHERE withdrawn`},
	{"kev", `SELECT COUNT(*) FROM kev`},
	{"epss", `SELECT COUNT(*) FROM epss`},
	{"cpe_records", `SELECT COUNT(DISTINCT id) FROM cpes`},
}

// heavySQL creates the table of the packages the most advisories name
// (at least heavyAdvisories), with their counts, filled when a snapshot
// is built: matching starts with them (DB.HeavyPackages). Snapshots built
// before it existed lack it; the builder creates it in a copied one.
const heavySQL = `CREATE TABLE IF NOT EXISTS heavy_packages (
	ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisories INTEGER NOT NULL, PRIMARY KEY (ecosystem, name)
) WITHOUT ROWID;
`

// heavyAdvisories is how many advisories must name a package for it to
// be in heavy_packages: about 200 packages of the real feeds (the Go
// standard library, Django, TensorFlow, the Linux kernel …).
const heavyAdvisories = 50
