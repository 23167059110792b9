package lists

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// Options configures Update.
type Options struct {
	// Mirror is a directory or http(s) URL laid out like
	// ../shared/supplierdata; empty means each list's official URLs.
	Mirror string
	// Lists restricts the update to these list IDs; empty means all.
	Lists []string
	// Client is the HTTP client (default: 2-minute timeout).
	Client *http.Client
	Limits Limits
	Logger *slog.Logger
	// Now returns the current time (default time.Now).
	Now func() time.Time
}

// Update fetches every list, parses those that changed since the snapshot
// stored in dir (incremental refresh: HTTP conditional requests and
// content digests), and atomically replaces the stored snapshot. A list
// that fails keeps its previous entries and records the error; the
// returned error joins every list failure.
func Update(ctx context.Context, dir string, opt Options) (*Snapshot, error) {
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: 2 * time.Minute}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	opt.Limits = opt.Limits.withDefaults()
	prev, err := Load(dir)
	if err != nil && !errors.Is(err, ErrNoSnapshot) {
		opt.Logger.Warn("previous supplier lists unreadable; importing from scratch", "err", err)
	}
	if prev == nil {
		prev = &Snapshot{Lists: map[string]*ListState{}, Entries: map[string][]Entry{}}
	}
	f := &fetcher{mirror: opt.Mirror, client: opt.Client, lim: opt.Limits, now: opt.Now}
	srcs, err := selectSources(opt.Lists)
	if err != nil {
		return nil, err
	}
	results := make([]listResult, len(srcs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))
	for i, src := range srcs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = importList(ctx, f, src, prev)
		})
	}
	wg.Wait()
	next := &Snapshot{Version: snapshotVersion, UpdatedAt: opt.Now().UTC(), Lists: map[string]*ListState{}, Entries: map[string][]Entry{}}
	for id, st := range prev.Lists {
		next.Lists[id], next.Entries[id] = st, prev.Entries[id]
	}
	var errs []error
	for i, r := range results {
		id := srcs[i].ID
		if r.skipped {
			opt.Logger.Info("supplier list not in the mirror; skipped", "list", id)
			continue
		}
		if r.err != nil {
			errs = append(errs, r.err)
			st := &ListState{ID: id, Title: srcs[i].Title}
			if old, ok := prev.Lists[id]; ok {
				cp := *old
				st = &cp
			}
			st.Error = r.err.Error()
			next.Lists[id] = st
			opt.Logger.Warn("supplier list failed; previous entries kept", "list", id, "err", r.err)
			continue
		}
		next.Lists[id], next.Entries[id] = r.state, r.entries
		opt.Logger.Debug("supplier list imported", "list", id, "entries", len(r.entries), "unchanged", r.unchanged)
	}
	if err := Save(dir, next); err != nil {
		return nil, err
	}
	return next, errors.Join(errs...)
}

func selectSources(ids []string) ([]Source, error) {
	if len(ids) == 0 {
		return Sources(), nil
	}
	var out []Source
	for _, id := range ids {
		s, ok := SourceByID(id)
		if !ok {
			return nil, fmt.Errorf("unknown supplier list %q", id)
		}
		out = append(out, s)
	}
	return out, nil
}

type listResult struct {
	state     *ListState
	entries   []Entry
	unchanged bool
	// skipped is set for a MirrorOptional list the mirror does not have.
	skipped bool
	err     error
}

// importList fetches and (when changed) parses one list.
func importList(ctx context.Context, f *fetcher, src Source, prev *Snapshot) listResult {
	old := prev.Lists[src.ID]
	files := map[string][]byte{}
	var states []FileState
	unchanged := old != nil && old.Error == "" && len(old.Files) > 0
	lastMod := ""
	for _, sf := range src.Files {
		pf := previousFile(old, sf.Name)
		got, err := f.fetch(ctx, sf, pf)
		if errors.Is(err, errNotFound) && sf.Optional {
			continue
		}
		if errors.Is(err, errNotFound) && src.MirrorOptional && f.mirror != "" {
			return listResult{skipped: true}
		}
		if err != nil {
			return listResult{err: fmt.Errorf("%s: %w", src.ID, err)}
		}
		states = append(states, got.state)
		lastMod = maxDate(lastMod, httpDate(got.state.LastModified))
		if got.unchanged || (pf != nil && pf.SHA256 == got.state.SHA256) {
			continue
		}
		unchanged = false
		files[sf.Name] = got.data
	}
	if unchanged && len(states) == len(old.Files) {
		st := *old
		st.Files = states
		return listResult{state: &st, entries: prev.Entries[src.ID], unchanged: true}
	}
	if len(files) < len(states) {
		// Some files were unchanged but others changed: refetch the
		// unchanged ones unconditionally so the whole set can be parsed.
		for _, sf := range src.Files {
			if _, ok := files[sf.Name]; ok {
				continue
			}
			got, err := f.fetch(ctx, sf, nil)
			if errors.Is(err, errNotFound) && sf.Optional {
				continue
			}
			if err != nil {
				return listResult{err: fmt.Errorf("%s: %w", src.ID, err)}
			}
			files[sf.Name] = got.data
		}
	}
	entries, date, err := src.parse(files, f.lim)
	if err != nil {
		return listResult{err: fmt.Errorf("%s: %w", src.ID, err)}
	}
	if err := f.lim.checkCount(len(entries)); err != nil {
		return listResult{err: fmt.Errorf("%s: %w", src.ID, err)}
	}
	for i := range entries {
		entries[i].List = src.ID
	}
	dateSource := "data"
	if date == "" {
		date, dateSource = lastMod, "last-modified"
	}
	return listResult{state: &ListState{ID: src.ID, Title: src.Title, Date: date, DateSource: dateSource, Entries: len(entries), Files: states, ImportedAt: f.now().UTC()}, entries: entries}
}

func previousFile(old *ListState, name string) *FileState {
	if old == nil || old.Error != "" {
		return nil
	}
	for i := range old.Files {
		if old.Files[i].Name == name {
			return &old.Files[i]
		}
	}
	return nil
}
