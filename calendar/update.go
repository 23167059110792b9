package calendar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Official online sources used when no mirror is given.
const (
	// HolidayCNURL is the published holiday-cn data; {year}.json is appended.
	HolidayCNURL = "https://raw.githubusercontent.com/NateScarlet/holiday-cn/master"
	// SyukujitsuURL is the Cabinet Office national holidays CSV.
	SyukujitsuURL = "https://www8.cao.go.jp/chosei/shukujitsu/syukujitsu.csv"
	// HolidayCNFirstYear is the first year holiday-cn publishes.
	HolidayCNFirstYear = 2007
)

// Source says where imported calendars come from. With Mirror empty the
// official online sources are used; otherwise Mirror is a directory or an
// http(s) URL with the layout holiday-cn/{year}.json and jp/syukujitsu.csv.
type Source struct {
	Mirror string
	Client *http.Client
	Limits Limits
	// Now gives the current time (the last holiday-cn year fetched is the
	// next year); nil means time.Now.
	Now func() time.Time
}

var errNotFound = errors.New("not found")

func (s Source) isURL() bool {
	return strings.HasPrefix(s.Mirror, "http://") || strings.HasPrefix(s.Mirror, "https://")
}

// location returns the URL or path of a file for the mirror layout rel, or
// the official URL when no mirror is set.
func (s Source) location(rel, official string) string {
	switch {
	case s.Mirror == "":
		return official
	case s.isURL():
		return strings.TrimRight(s.Mirror, "/") + "/" + rel
	default:
		return filepath.Join(s.Mirror, filepath.FromSlash(rel))
	}
}

func (s Source) read(ctx context.Context, loc string) ([]byte, error) {
	lim := s.Limits.withDefaults()
	var r io.ReadCloser
	if strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://") {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", loc, err)
		}
		client := s.Client
		if client == nil {
			client = &http.Client{Timeout: time.Minute}
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", loc, err)
		}
		if resp.StatusCode == http.StatusNotFound {
			resp.Body.Close()
			return nil, fmt.Errorf("fetch %s: %w", loc, errNotFound)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("fetch %s: HTTP %s", loc, resp.Status)
		}
		r = resp.Body
	} else {
		f, err := os.Open(loc)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read %s: %w", loc, errNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", loc, err)
		}
		r = f
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", loc, err)
	}
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, fmt.Errorf("read %s: larger than %d bytes", loc, lim.MaxFileBytes)
	}
	return data, nil
}

// FetchCN imports the China calendar from holiday-cn, one file per year
// from 2007 to next year (files for years after the current one may be
// missing).
func (s Source) FetchCN(ctx context.Context) (*Calendar, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	thisYear := now().Year()
	files := map[int][]cnDay{}
	dg := newDigester()
	for y := HolidayCNFirstYear; y <= thisYear+1; y++ {
		rel := fmt.Sprintf("holiday-cn/%d.json", y)
		loc := s.location(rel, fmt.Sprintf("%s/%d.json", HolidayCNURL, y))
		data, err := s.read(ctx, loc)
		if errors.Is(err, errNotFound) && y > thisYear {
			continue
		}
		if err != nil {
			return nil, err
		}
		year, days, err := ParseHolidayCN(loc, data, s.Limits)
		if err != nil {
			return nil, err
		}
		if year != y {
			return nil, fmt.Errorf("%s: file says year %d", loc, year)
		}
		dg.add(rel, data)
		files[y] = days
	}
	return buildCN(files, dg.String())
}

// FetchJP imports the Japan calendar from the Cabinet Office CSV.
func (s Source) FetchJP(ctx context.Context) (*Calendar, error) {
	loc := s.location("jp/syukujitsu.csv", SyukujitsuURL)
	data, err := s.read(ctx, loc)
	if err != nil {
		return nil, err
	}
	h, err := ParseSyukujitsu(loc, data, s.Limits)
	if err != nil {
		return nil, err
	}
	dg := newDigester()
	dg.add("jp/syukujitsu.csv", data)
	return buildJP(h, dg.String()), nil
}

// Names lists every calendar name Load accepts.
func Names() []string { return []string{"cn", "jp", "us", "nl"} }

// Update fetches every imported calendar and saves it under dir.
func Update(ctx context.Context, s Source, dir string) ([]*Calendar, error) {
	cn, err := s.FetchCN(ctx)
	if err != nil {
		return nil, fmt.Errorf("import China calendar: %w", err)
	}
	jp, err := s.FetchJP(ctx)
	if err != nil {
		return nil, fmt.Errorf("import Japan calendar: %w", err)
	}
	for _, c := range []*Calendar{cn, jp} {
		if err := Save(dir, c); err != nil {
			return nil, err
		}
	}
	return []*Calendar{cn, jp}, nil
}

// Save writes an imported calendar to dir/<name>.json atomically.
func Save(dir string, c *Calendar) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save calendar %s: %w", c.Name, err)
	}
	data, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return fmt.Errorf("save calendar %s: %w", c.Name, err)
	}
	tmp, err := os.CreateTemp(dir, c.Name+".*.tmp")
	if err != nil {
		return fmt.Errorf("save calendar %s: %w", c.Name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save calendar %s: %w", c.Name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save calendar %s: %w", c.Name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, c.Name+".json")); err != nil {
		return fmt.Errorf("save calendar %s: %w", c.Name, err)
	}
	return nil
}

// Load returns the calendar called name: us and nl are rule-based; cn and
// jp are read from dir, where Update saved them.
func Load(dir, name string) (*Calendar, error) {
	switch name {
	case "us":
		return US(), nil
	case "nl":
		return NL(), nil
	case "cn", "jp":
	default:
		return nil, fmt.Errorf("unknown calendar %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	path := filepath.Join(dir, name+".json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("calendar %s not imported yet: run `assay calendar update` (%w)", name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("load calendar %s: %w", name, err)
	}
	var c Calendar
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("load calendar %s: %w", path, err)
	}
	if c.Name != name || c.Version == "" || c.FirstYear == 0 || c.LastYear < c.FirstYear {
		return nil, fmt.Errorf("load calendar %s: incomplete calendar file", path)
	}
	return &c, nil
}
