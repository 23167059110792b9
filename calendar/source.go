package calendar

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
)

// Limits for imported calendar data. They bound every parser; the zero
// value of Limits means the defaults below.
type Limits struct {
	// MaxFileBytes bounds one downloaded or read file.
	MaxFileBytes int64
	// MaxDaysPerFile bounds the day entries of one holiday-cn year file or
	// the rows of the Japanese CSV.
	MaxDaysPerFile int
}

// Default limits: holiday-cn year files are about 4 KiB and
// syukujitsu.csv about 20 KiB with ~1,100 rows.
const (
	DefaultMaxFileBytes   = 4 << 20
	DefaultMaxDaysPerFile = 20000
)

func (l Limits) withDefaults() Limits {
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxDaysPerFile <= 0 {
		l.MaxDaysPerFile = DefaultMaxDaysPerFile
	}
	return l
}

// cnYear is one holiday-cn file: {"year":…, "papers":[…], "days":[…]}.
type cnYear struct {
	Year   int      `json:"year"`
	Papers []string `json:"papers"`
	Days   []struct {
		Name     string `json:"name"`
		Date     string `json:"date"`
		IsOffDay *bool  `json:"isOffDay"`
	} `json:"days"`
}

// cnDay is one parsed holiday-cn entry.
type cnDay struct {
	Date   string
	Name   string
	OffDay bool
}

// ParseHolidayCN parses one holiday-cn year file (name is used in errors).
// It returns the notice year and its day entries; an empty days list means
// the State Council notice for that year is not out yet.
func ParseHolidayCN(name string, data []byte, lim Limits) (int, []cnDay, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxFileBytes {
		return 0, nil, fmt.Errorf("%s: %d bytes exceeds limit %d", name, len(data), lim.MaxFileBytes)
	}
	var y cnYear
	if err := json.Unmarshal(data, &y); err != nil {
		return 0, nil, fmt.Errorf("%s: parse holiday-cn JSON: %w", name, err)
	}
	if y.Year < 1900 || y.Year > 9999 {
		return 0, nil, fmt.Errorf("%s: year %d out of range", name, y.Year)
	}
	if len(y.Days) > lim.MaxDaysPerFile {
		return 0, nil, fmt.Errorf("%s: %d days exceeds limit %d", name, len(y.Days), lim.MaxDaysPerFile)
	}
	out := make([]cnDay, 0, len(y.Days))
	for i, d := range y.Days {
		t, err := ParseDate(d.Date)
		if err != nil {
			return 0, nil, fmt.Errorf("%s: days[%d]: %w", name, i, err)
		}
		if t.Year() < y.Year-1 || t.Year() > y.Year+1 {
			return 0, nil, fmt.Errorf("%s: days[%d]: date %s far from notice year %d", name, i, d.Date, y.Year)
		}
		if d.IsOffDay == nil {
			return 0, nil, fmt.Errorf("%s: days[%d]: missing isOffDay", name, i)
		}
		out = append(out, cnDay{Date: t.Format(DateLayout), Name: d.Name, OffDay: *d.IsOffDay})
	}
	return y.Year, out, nil
}

// ParseSyukujitsu parses the Cabinet Office syukujitsu.csv (Shift_JIS,
// header row, dates as YYYY/M/D) into date → holiday name.
func ParseSyukujitsu(name string, data []byte, lim Limits) (map[string]string, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, fmt.Errorf("%s: %d bytes exceeds limit %d", name, len(data), lim.MaxFileBytes)
	}
	utf, _, err := transform.Bytes(japanese.ShiftJIS.NewDecoder(), data)
	if err != nil {
		return nil, fmt.Errorf("%s: decode Shift_JIS: %w", name, err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(utf))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if text == "" || line == 1 && !startsWithDigit(text) {
			continue
		}
		if len(out) >= lim.MaxDaysPerFile {
			return nil, fmt.Errorf("%s: more than %d rows", name, lim.MaxDaysPerFile)
		}
		dateStr, holiday, _ := strings.Cut(text, ",")
		t, err := time.Parse("2006/1/2", dateStr)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: bad date %q", name, line, dateStr)
		}
		out[t.Format(DateLayout)] = holiday
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no holidays", name)
	}
	return out, nil
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// buildCN assembles the China calendar from holiday-cn year files. Years
// whose notice has no days yet are not covered; the covered range runs from
// the first to the last year with days, and every year between must have
// data.
func buildCN(files map[int][]cnDay, digest string) (*Calendar, error) {
	years := make([]int, 0, len(files))
	for y, days := range files {
		if len(days) > 0 {
			years = append(years, y)
		}
	}
	if len(years) == 0 {
		return nil, fmt.Errorf("holiday-cn: no year with data")
	}
	sort.Ints(years)
	for i := 1; i < len(years); i++ {
		if years[i] != years[i-1]+1 {
			return nil, fmt.Errorf("holiday-cn: year %d missing between %d and %d", years[i-1]+1, years[0], years[len(years)-1])
		}
	}
	c := &Calendar{Name: "cn", Version: "holiday-cn " + digest, FirstYear: years[0], LastYear: years[len(years)-1],
		Holidays: map[string]string{}, Workdays: map[string]string{}}
	for _, y := range years {
		for _, d := range files[y] {
			if d.OffDay {
				c.Holidays[d.Date] = d.Name
			} else {
				c.Workdays[d.Date] = d.Name
			}
		}
	}
	return c, nil
}

// buildJP assembles the Japan calendar; it covers the years from the first
// to the last listed holiday.
func buildJP(h map[string]string, digest string) *Calendar {
	first, last := 9999, 0
	for d := range h {
		y, _ := strconv.Atoi(d[:4])
		first, last = min(first, y), max(last, y)
	}
	return &Calendar{Name: "jp", Version: "cao-syukujitsu " + digest, FirstYear: first, LastYear: last, Holidays: h}
}

// digester hashes the raw source files in a fixed order to version a
// calendar by its data.
type digester struct{ h hash.Hash }

func newDigester() *digester { return &digester{h: sha256.New()} }

func (d *digester) add(name string, data []byte) {
	fmt.Fprintf(d.h, "%s %d\n", name, len(data))
	d.h.Write(data)
}

// String returns the digest as "sha256:" and its first 16 hex digits.
func (d *digester) String() string { return "sha256:" + hex.EncodeToString(d.h.Sum(nil))[:16] }
