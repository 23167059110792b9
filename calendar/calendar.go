// Package calendar computes working days for statutory review clocks.
//
// A Calendar knows which dates are working days. Data-backed calendars (China
// from holiday-cn, Japan from the Cabinet Office CSV) cover only the years
// their data covers and refuse to answer outside them; rule-based calendars
// (US federal, Netherlands) answer for any year.
//
// Convention: N working days from date D is the N-th working day after D; D
// itself never counts.
package calendar

import (
	"errors"
	"fmt"
	"time"
)

// DateLayout is the layout of every date Assay reads and prints.
const DateLayout = "2006-01-02"

// MaxWorkingDays bounds the N accepted by Add, so that a mistaken input
// cannot make a computation walk for ever (about 40 years of working days).
const MaxWorkingDays = 10000

// ErrNoData reports a date outside the years a data-backed calendar covers.
var ErrNoData = errors.New("calendar has no data")

// Calendar answers whether a date is a working day.
type Calendar struct {
	// Name is the short name (cn, jp, us, nl).
	Name string `json:"name"`
	// Version identifies the data or rules the answers come from, e.g.
	// "holiday-cn sha256:…" or "us-federal-rules/1". Deadlines record it.
	Version string `json:"version"`
	// FirstYear and LastYear bound the covered years (0 means unbounded).
	FirstYear int `json:"first_year,omitempty"`
	LastYear  int `json:"last_year,omitempty"`
	// Holidays are dates off work that would otherwise be working days
	// (statutory holidays, bridged days, substitute holidays).
	Holidays map[string]string `json:"holidays"`
	// Workdays are make-up working days (调休上班) that fall on a weekend.
	Workdays map[string]string `json:"workdays,omitempty"`
	// rule computes holidays for rule-based calendars.
	rule func(year int) map[string]string
}

// ParseDate parses a YYYY-MM-DD date as midnight UTC.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date %q: want YYYY-MM-DD", s)
	}
	return t, nil
}

// Day truncates t to its civil date (midnight UTC of t's calendar date in
// t's own location).
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// covered reports an error when d is outside the calendar's data.
func (c *Calendar) covered(d time.Time) error {
	y := d.Year()
	if (c.FirstYear != 0 && y < c.FirstYear) || (c.LastYear != 0 && y > c.LastYear) {
		return fmt.Errorf("calendar %s (%s): %w for %d (covers %d-%d); run `assay calendar update`",
			c.Name, c.Version, ErrNoData, y, c.FirstYear, c.LastYear)
	}
	return nil
}

// IsWorkingDay reports whether d is a working day: a listed make-up working
// day, or a weekday that is not a holiday.
func (c *Calendar) IsWorkingDay(d time.Time) (bool, error) {
	d = Day(d)
	if err := c.covered(d); err != nil {
		return false, err
	}
	key := d.Format(DateLayout)
	if _, ok := c.Workdays[key]; ok {
		return true, nil
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false, nil
	}
	if _, ok := c.Holidays[key]; ok {
		return false, nil
	}
	if c.rule != nil {
		if _, ok := c.rule(d.Year())[key]; ok {
			return false, nil
		}
	}
	return true, nil
}

// Add returns the n-th working day after d (d itself never counts). n must
// be between 0 and MaxWorkingDays; Add(d, 0) is d.
func (c *Calendar) Add(d time.Time, n int) (time.Time, error) {
	return c.AddSkipping(d, n, nil)
}

// AddSkipping is Add where working days for which skip returns true do not
// count (for example days on which the clock was paused).
func (c *Calendar) AddSkipping(d time.Time, n int, skip func(time.Time) bool) (time.Time, error) {
	if n < 0 || n > MaxWorkingDays {
		return time.Time{}, fmt.Errorf("working days %d out of range 0..%d", n, MaxWorkingDays)
	}
	d = Day(d)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		ok, err := c.IsWorkingDay(d)
		if err != nil {
			return time.Time{}, err
		}
		if ok && (skip == nil || !skip(d)) {
			n--
		}
	}
	return d, nil
}

// Between returns the number of working days in (a, b]; it is negative
// when b is before a (the count in (b, a], negated).
func (c *Calendar) Between(a, b time.Time) (int, error) {
	a, b = Day(a), Day(b)
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	if b.Sub(a) > 24*time.Hour*366*100 {
		return 0, fmt.Errorf("range %s..%s longer than 100 years", a.Format(DateLayout), b.Format(DateLayout))
	}
	n := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		ok, err := c.IsWorkingDay(d)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return sign * n, nil
}
