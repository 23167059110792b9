package calendar

import "time"

// Versions of the rule-based calendars; bump when a rule changes so that
// deadlines computed under the old rules stay explainable.
const (
	USVersion = "us-federal-rules/1 (5 U.S.C. 6103)"
	NLVersion = "nl-rules/1 (rijksoverheid feestdagen; Bevrijdingsdag in lustrum years)"
)

// US returns the rule-based US federal holiday calendar (5 U.S.C. §6103):
// eleven holidays (Juneteenth from 2021, Martin Luther King Jr. Day from
// 1986); a holiday on Saturday is observed on the Friday before, one on
// Sunday on the Monday after.
func US() *Calendar {
	return &Calendar{Name: "us", Version: USVersion, Holidays: map[string]string{}, rule: usObserved}
}

// NL returns the rule-based Netherlands calendar: New Year, Easter Monday,
// King's (before 2014 Queen's) Day, Liberation Day in lustrum years (every
// fifth year, as most collective agreements), Ascension, Whit Monday and
// both Christmas days. Good Friday is not counted as a day off.
func NL() *Calendar {
	return &Calendar{Name: "nl", Version: NLVersion, Holidays: map[string]string{}, rule: nlHolidays}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// nthWeekday returns the n-th weekday wd of month m (n<0 counts from the end).
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) time.Time {
	if n < 0 {
		last := date(y, m+1, 0)
		return last.AddDate(0, 0, -((int(last.Weekday()) - int(wd) + 7) % 7))
	}
	first := date(y, m, 1)
	return first.AddDate(0, 0, (int(wd)-int(first.Weekday())+7)%7+7*(n-1))
}

// usObserved returns the observed US federal holidays dated in year y,
// including New Year's Day of y+1 observed on 31 December of y.
func usObserved(y int) map[string]string {
	out := map[string]string{}
	for _, yy := range []int{y, y + 1} {
		for name, d := range usHolidays(yy) {
			switch d.Weekday() {
			case time.Saturday:
				d = d.AddDate(0, 0, -1)
			case time.Sunday:
				d = d.AddDate(0, 0, 1)
			}
			if d.Year() == y {
				out[d.Format(DateLayout)] = name
			}
		}
	}
	return out
}

func usHolidays(y int) map[string]time.Time {
	h := map[string]time.Time{
		"New Year's Day":        date(y, time.January, 1),
		"Washington's Birthday": nthWeekday(y, time.February, time.Monday, 3),
		"Memorial Day":          nthWeekday(y, time.May, time.Monday, -1),
		"Independence Day":      date(y, time.July, 4),
		"Labor Day":             nthWeekday(y, time.September, time.Monday, 1),
		"Columbus Day":          nthWeekday(y, time.October, time.Monday, 2),
		"Veterans Day":          date(y, time.November, 11),
		"Thanksgiving Day":      nthWeekday(y, time.November, time.Thursday, 4),
		"Christmas Day":         date(y, time.December, 25),
	}
	if y >= 1986 {
		h["Birthday of Martin Luther King, Jr."] = nthWeekday(y, time.January, time.Monday, 3)
	}
	if y >= 2021 {
		h["Juneteenth National Independence Day"] = date(y, time.June, 19)
	}
	return h
}

// easter returns Easter Sunday (Gregorian, anonymous algorithm).
func easter(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return date(y, time.Month(month), day)
}

func nlHolidays(y int) map[string]string {
	e := easter(y)
	h := map[time.Time]string{
		date(y, time.January, 1):   "Nieuwjaarsdag",
		e.AddDate(0, 0, 1):         "Tweede Paasdag",
		e.AddDate(0, 0, 39):        "Hemelvaartsdag",
		e.AddDate(0, 0, 50):        "Tweede Pinksterdag",
		date(y, time.December, 25): "Eerste Kerstdag",
		date(y, time.December, 26): "Tweede Kerstdag",
	}
	if y >= 2014 {
		k := date(y, time.April, 27)
		if k.Weekday() == time.Sunday {
			k = k.AddDate(0, 0, -1)
		}
		h[k] = "Koningsdag"
	} else {
		k := date(y, time.April, 30)
		if k.Weekday() == time.Sunday {
			k = k.AddDate(0, 0, -1)
		}
		h[k] = "Koninginnedag"
	}
	if y%5 == 0 {
		h[date(y, time.May, 5)] = "Bevrijdingsdag"
	}
	out := make(map[string]string, len(h))
	for d, n := range h {
		out[d.Format(DateLayout)] = n
	}
	return out
}
