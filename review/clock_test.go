package review

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/assayhq/assay/calendar"
)

// TestStageDeadlineRandom checks, on the real China calendar, that the due
// date of random stages with random closed pauses is exactly the
// TotalWorkingDays-th unpaused working day after the start.
func TestStageDeadlineRandom(t *testing.T) {
	cn, err := testCalendars(t)("cn")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for range 300 {
		start := base.AddDate(0, 0, rng.IntN(900))
		s := Stage{State: StateInitialReview, Start: start.Format(calendar.DateLayout), WorkingDays: []int{10, 15, 30, 45, 90}[rng.IntN(5)],
			CalendarVersion: cn.Version}
		from := start
		for range rng.IntN(3) {
			from = from.AddDate(0, 0, 1+rng.IntN(20))
			to := from.AddDate(0, 0, 1+rng.IntN(10))
			s.Pauses = append(s.Pauses, Pause{From: from.Format(calendar.DateLayout), To: to.Format(calendar.DateLayout)})
			from = to
		}
		dl, err := StageDeadline(cn, s, today)
		if err != nil {
			t.Fatal(err)
		}
		due, _ := calendar.ParseDate(dl.Due)
		paused, counted, err := countWorking(cn, start, due, s.Pauses)
		if err != nil {
			t.Fatal(err)
		}
		if counted != s.WorkingDays {
			t.Fatalf("stage %+v: due %s counts %d unpaused working days, want %d", s, dl.Due, counted, s.WorkingDays)
		}
		if ok, _ := cn.IsWorkingDay(due); !ok || pausedOn(s.Pauses, dl.Due) {
			t.Fatalf("due %s is not an unpaused working day", dl.Due)
		}
		if dl.PausedWorkingDays < paused {
			t.Fatalf("paused %d < %d", dl.PausedWorkingDays, paused)
		}
	}
}

// TestStageDeadlineAfterData checks a stage that ended within the data while
// today is past it, and a running one whose count stops at the data's end.
func TestStageDeadlineAfterData(t *testing.T) {
	cn, err := testCalendars(t)("cn")
	if err != nil {
		t.Fatal(err)
	}
	late := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	done := Stage{State: StateScreening, Start: "2026-03-02", WorkingDays: 10, End: "2026-03-10"}
	if dl, err := StageDeadline(cn, done, late); err != nil || dl.Status != DeadlineMet {
		t.Errorf("ended stage: %+v, %v", dl, err)
	}
	running := Stage{State: StateSpecialReview, Start: "2026-06-01", WorkingDays: 90}
	dl, err := StageDeadline(cn, running, late)
	if err != nil || dl.Status != DeadlineOverdue || dl.Elapsed < 90 {
		t.Errorf("running stage: %+v, %v", dl, err)
	}
}
