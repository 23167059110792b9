package screen

import (
	"encoding/json"
	"testing"
)

func TestScreenRealLists(t *testing.T) {
	s := New(sharedSnapshot(t), Options{})
	tests := []struct {
		query, country string
		wantList       string
		wantName       string
		wantLevel      string
	}{
		{"Huawei Technologies Co., Ltd.", "CN", "us-ndaa-889", "", "alert"},
		{"华为技术有限公司", "", "", "", "alert"},
		{"Hangzhou Hikvision Digital Technology Company", "", "us-ndaa-889", "", "alert"},
		{"Hikvison Digital Technology", "", "", "", "review"},
		{"Рособоронэкспорт", "", "", "", "alert"},
		{"Banco Nacional de Cuba", "", "us-ofac-sdn", "BANCO NACIONAL DE CUBA", "alert"},
		{"Cuba Banco Nacional S.A.", "", "us-ofac-sdn", "BANCO NACIONAL DE CUBA", "alert"},
		{"Siemens Aktiengesellschaft", "DE", "", "", "clear"},
		{"Acme Widgets Ltd", "", "", "", "clear"},
	}
	for _, tt := range tests {
		res, err := s.Screen(Query{Name: tt.query, Country: tt.country})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s [%s] -> %s", tt.query, res.Normalized, res.Decision)
		for _, m := range res.Matches[:min(3, len(res.Matches))] {
			b, _ := json.Marshal(m.Breakdown.Tokens)
			t.Logf("   %.3f %s %s %q tok=%.3f cmp=%.3f %s", m.Score, m.List, m.EntryID, m.Name, m.Breakdown.TokenScore, m.Breakdown.CompactScore, b)
		}
		if res.Decision != tt.wantLevel {
			t.Errorf("%q: decision %s, want %s", tt.query, res.Decision, tt.wantLevel)
		}
	}
}
