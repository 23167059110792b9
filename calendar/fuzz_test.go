package calendar

import "testing"

func FuzzParseHolidayCN(f *testing.F) {
	f.Add([]byte(`{"year":2023,"papers":[],"days":[{"name":"春节","date":"2023-01-21","isOffDay":true},{"name":"春节","date":"2023-01-28","isOffDay":false}]}`))
	f.Add([]byte(`{"year":2027,"papers":[],"days":[]}`))
	f.Add([]byte(`{"year":1,"days":[{"date":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, days, err := ParseHolidayCN("fuzz.json", data, Limits{MaxFileBytes: 1 << 16, MaxDaysPerFile: 100})
		if err == nil && len(days) > 100 {
			t.Fatalf("limit ignored: %d days", len(days))
		}
	})
}

func FuzzParseSyukujitsu(f *testing.F) {
	f.Add([]byte("\x8d\x91\x96\xaf\x82\xcc\x8f\x6a\x93\xfa,\x96\xbc\x8f\xcc\r\n2024/5/6,\x90\x55\x91\xd6\x8b\x78\x93\xfa\r\n"))
	f.Add([]byte("2024/1/1,x\n2024/13/1,y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseSyukujitsu("fuzz.csv", data, Limits{MaxFileBytes: 1 << 16, MaxDaysPerFile: 100})
		if err == nil && len(h) > 100 {
			t.Fatalf("limit ignored: %d rows", len(h))
		}
	})
}
