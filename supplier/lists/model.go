// Package lists imports restricted-party, sanctions and procurement-ban
// lists in the formats their publishers use (OFAC SDN and consolidated CSV
// sets and Enhanced XML, the trade.gov Consolidated Screening List, the BIS
// Denied Persons List, the UN Security Council consolidated XML and the
// curated CSVs for the FCC Covered List, China's MOFCOM lists, DoD 1260H and
// the NDAA sections) into one entry model, and keeps the imported lists as
// an atomically replaced snapshot in the data directory.
package lists

import "time"

// Entry types.
const (
	TypeEntity     = "entity"
	TypeIndividual = "individual"
	TypeVessel     = "vessel"
	TypeAircraft   = "aircraft"
	// TypeCategory marks an entry that names a class of products (such as
	// the FCC Covered List's "foreign-produced routers") rather than a
	// party. Category entries are not name-screened.
	TypeCategory = "category"
)

// Entry is one listed party (or category) in one list.
type Entry struct {
	// List is the ID of the list the entry comes from (see Sources).
	List string `json:"list"`
	// ID is the publisher's identifier of the entry within its list
	// (OFAC ent_num, UN reference number, ...), or a stable row number
	// when the publisher has none.
	ID string `json:"id"`
	// Key groups entries that the publishers identify as the same party
	// across lists (for example "ofac:36" for OFAC's ent_num 36, which
	// appears in the SDN CSV, the Enhanced XML and the CSL). Empty when
	// unknown.
	Key      string   `json:"key,omitempty"`
	Type     string   `json:"type"`
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases,omitempty"`
	Programs []string `json:"programs,omitempty"`
	// Countries are ISO 3166-1 alpha-2 codes of addresses, nationality or
	// country of incorporation, as far as the list states them.
	Countries   []string     `json:"countries,omitempty"`
	Identifiers []Identifier `json:"identifiers,omitempty"`
	// Parents names parent organisations the list itself gives (DoD 1260H).
	Parents []string `json:"parents,omitempty"`
	// ListedOn is the designation date as the list states it (YYYY-MM-DD
	// where it could be parsed, else as published).
	ListedOn string `json:"listed_on,omitempty"`
	// EndDate is the end of the listing when the list gives one.
	EndDate string `json:"end_date,omitempty"`
	Remarks string `json:"remarks,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Identifier is a registration, tax, LEI, IMO or similar number.
type Identifier struct {
	Type    string `json:"type"`
	Number  string `json:"number"`
	Country string `json:"country,omitempty"`
}

// FileState records what was fetched for one file of a list, for
// provenance and for incremental refresh.
type FileState struct {
	Name         string    `json:"name"`
	URL          string    `json:"url"`
	SHA256       string    `json:"sha256"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	FetchedAt    time.Time `json:"fetched_at"`
}

// ListState is the imported state of one list.
type ListState struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Date is the publication date of the data (the list's own "as of"
	// date when it states one, else the newest date found in it, else the
	// Last-Modified date of its files), YYYY-MM-DD.
	Date string `json:"date,omitempty"`
	// DateSource says where Date comes from: "data" (the list's own
	// date) or "last-modified" (the HTTP Last-Modified or file time).
	DateSource string      `json:"date_source,omitempty"`
	Entries    int         `json:"entries"`
	Files      []FileState `json:"files"`
	ImportedAt time.Time   `json:"imported_at"`
	// Error is the last refresh error; the previous entries stay in use.
	Error string `json:"error,omitempty"`
}

// Snapshot is every imported list.
type Snapshot struct {
	Version   int                   `json:"version"`
	UpdatedAt time.Time             `json:"updated_at"`
	Lists     map[string]*ListState `json:"lists"`
	Entries   map[string][]Entry    `json:"entries"`
}

// All returns every entry of every list in list order.
func (s *Snapshot) All() []Entry {
	var out []Entry
	for _, src := range Sources() {
		out = append(out, s.Entries[src.ID]...)
	}
	return out
}
