package calendar

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/mirrortest"
)

// importReal imports cn and jp from the shared supplier data served over
// HTTP, the way `assay calendar update --mirror URL` does.
func importReal(t *testing.T) (cn, jp *Calendar) {
	t.Helper()
	url := mirrortest.Serve(t, filepath.Join(mirrortest.SupplierDir(t), "calendars"))
	dir := t.TempDir()
	src := Source{Mirror: url, Now: func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }}
	if _, err := Update(context.Background(), src, dir); err != nil {
		t.Fatal(err)
	}
	cn, err := Load(dir, "cn")
	if err != nil {
		t.Fatal(err)
	}
	jp, err = Load(dir, "jp")
	if err != nil {
		t.Fatal(err)
	}
	return cn, jp
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAddRealCalendars(t *testing.T) {
	cn, jp := importReal(t)
	cals := map[string]*Calendar{"cn": cn, "jp": jp, "us": US(), "nl": NL()}
	tests := []struct {
		cal, from string
		n         int
		want      string
		why       string
	}{
		{"cn", "2023-01-20", 1, "2023-01-28", "Spring Festival 21-27 Jan off; Sat 28 Jan is a make-up working day"},
		{"cn", "2023-01-20", 2, "2023-01-29", "Sun 29 Jan is a make-up working day"},
		{"cn", "2023-01-20", 3, "2023-01-30", ""},
		{"cn", "2023-04-04", 1, "2023-04-06", "Qingming 5 Apr off"},
		{"cn", "2023-04-21", 1, "2023-04-23", "Sun 23 Apr is a make-up day for Labour Day"},
		{"cn", "2023-04-28", 1, "2023-05-04", "Labour Day 29 Apr-3 May off"},
		{"cn", "2023-05-05", 1, "2023-05-06", "Sat 6 May is a make-up working day"},
		{"cn", "2023-09-28", 1, "2023-10-07", "Mid-Autumn + National Day 29 Sep-6 Oct off; Sat 7 Oct works"},
		{"cn", "2023-09-28", 3, "2023-10-09", "Sun 8 Oct works too"},
		{"cn", "2024-02-09", 1, "2024-02-18", "Spring Festival 2024: 10-17 Feb off, Sun 18 Feb works"},
		{"cn", "2024-02-02", 1, "2024-02-04", "Sun 4 Feb 2024 is a make-up working day"},
		{"cn", "2024-09-30", 1, "2024-10-08", "National Day 2024: 1-7 Oct off"},
		{"cn", "2023-03-31", 10, "2023-04-17", "screening clock from the Micron announcement"},
		{"cn", "2023-03-31", 33, "2023-05-19", ""},
		{"cn", "2023-01-20", 0, "2023-01-20", "zero days is the same date"},
		{"jp", "2024-05-02", 1, "2024-05-07", "Golden Week: 3-6 May (6 May substitute holiday)"},
		{"jp", "2024-04-26", 1, "2024-04-30", "Showa Day 29 Apr"},
		{"us", "2021-06-17", 1, "2021-06-21", "Juneteenth 2021 observed Fri 18 Jun"},
		{"us", "2021-12-23", 1, "2021-12-27", "Christmas 2021 (Sat) observed Fri 24 Dec"},
		{"us", "2021-12-30", 1, "2022-01-03", "New Year 2022 (Sat) observed Fri 31 Dec 2021"},
		{"us", "2024-11-27", 1, "2024-11-29", "Thanksgiving 28 Nov 2024"},
		{"nl", "2024-03-29", 1, "2024-04-02", "Easter Monday 1 Apr 2024 (Good Friday works)"},
		{"nl", "2024-05-08", 1, "2024-05-10", "Ascension 9 May 2024"},
		{"nl", "2025-05-02", 1, "2025-05-06", "Liberation Day 2025 is a lustrum year"},
		{"nl", "2024-05-03", 1, "2024-05-06", "Liberation Day 2024 (Sunday anyway) not a lustrum year"},
		{"nl", "2023-04-26", 1, "2023-04-28", "King's Day 27 Apr 2023"},
	}
	for _, tt := range tests {
		t.Run(tt.cal+"/"+tt.from, func(t *testing.T) {
			got, err := cals[tt.cal].Add(mustDate(t, tt.from), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if g := got.Format(DateLayout); g != tt.want {
				t.Errorf("%s + %d WD = %s, want %s (%s)", tt.from, tt.n, g, tt.want, tt.why)
			}
		})
	}
}

func TestBetweenRealCalendars(t *testing.T) {
	cn, _ := importReal(t)
	tests := []struct {
		a, b string
		want int
	}{
		{"2023-03-31", "2023-05-21", 33}, // Micron: announced 31 Mar, concluded 21 May 2023
		{"2023-01-20", "2023-01-29", 2},
		{"2023-09-28", "2023-10-08", 2},
		{"2023-01-01", "2023-12-31", 249}, // 260 weekdays - 18 holidays + 7 make-up days,
		{"2023-05-21", "2023-03-31", -33},
		{"2023-04-05", "2023-04-05", 0},
	}
	for _, tt := range tests {
		got, err := cn.Between(mustDate(t, tt.a), mustDate(t, tt.b))
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("Between(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestAddBetweenAgree checks that Add and Between are inverse on real data
// for every start date of 2023-2025.
func TestAddBetweenAgree(t *testing.T) {
	cn, _ := importReal(t)
	for d := mustDate(t, "2023-01-01"); d.Year() < 2026; d = d.AddDate(0, 0, 1) {
		for _, n := range []int{1, 10, 30} {
			end, err := cn.Add(d, n)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := cn.Between(d, end); got != n {
				t.Fatalf("Between(%s, Add(%s, %d)=%s) = %d", d.Format(DateLayout), d.Format(DateLayout), n, end.Format(DateLayout), got)
			}
			if ok, _ := cn.IsWorkingDay(end); !ok {
				t.Fatalf("Add(%s, %d) = %s is not a working day", d.Format(DateLayout), n, end.Format(DateLayout))
			}
		}
	}
}

func TestCoverage(t *testing.T) {
	cn, jp := importReal(t)
	if cn.FirstYear != 2007 || cn.LastYear != 2026 {
		t.Errorf("cn covers %d-%d, want 2007-2026 (2027 notice not out)", cn.FirstYear, cn.LastYear)
	}
	if jp.FirstYear != 1955 || jp.LastYear != 2027 {
		t.Errorf("jp covers %d-%d, want 1955-2027", jp.FirstYear, jp.LastYear)
	}
	if _, err := cn.Add(mustDate(t, "2026-12-20"), 30); !errors.Is(err, ErrNoData) {
		t.Errorf("Add past the data: err = %v, want ErrNoData", err)
	}
	if len(cn.Workdays) < 100 {
		t.Errorf("only %d make-up working days imported", len(cn.Workdays))
	}
}

func TestUpdateFromDirMirror(t *testing.T) {
	dir := filepath.Join(mirrortest.SupplierDir(t), "calendars")
	home := t.TempDir()
	cals, err := Update(context.Background(), Source{Mirror: dir}, home)
	if err != nil {
		t.Fatal(err)
	}
	if len(cals) != 2 {
		t.Fatalf("got %d calendars", len(cals))
	}
	for _, name := range []string{"cn.json", "jp.json"} {
		if _, err := os.Stat(filepath.Join(home, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestUpdateErrors(t *testing.T) {
	empty := t.TempDir()
	if _, err := Update(context.Background(), Source{Mirror: empty}, t.TempDir()); err == nil {
		t.Error("empty mirror: no error")
	}
	if _, err := Load(t.TempDir(), "cn"); err == nil {
		t.Error("Load before update: no error")
	}
	if _, err := Load(t.TempDir(), "xx"); err == nil {
		t.Error("unknown calendar: no error")
	}
	if _, err := US().Add(time.Now(), -1); err == nil {
		t.Error("negative n: no error")
	}
}

func TestEaster(t *testing.T) {
	for y, want := range map[int]string{2023: "2023-04-09", 2024: "2024-03-31", 2025: "2025-04-20", 2038: "2038-04-25"} {
		if got := easter(y).Format(DateLayout); got != want {
			t.Errorf("easter(%d) = %s, want %s", y, got, want)
		}
	}
}

func BenchmarkAddCN(b *testing.B) {
	url := mirrortest.Serve(b, filepath.Join(mirrortest.SupplierDir(b), "calendars"))
	cn, err := Source{Mirror: url, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}.FetchCN(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	d := time.Date(2023, 3, 31, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		if _, err := cn.Add(d, 90); err != nil {
			b.Fatal(err)
		}
	}
}
