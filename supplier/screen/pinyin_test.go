package screen

import "testing"

// TestHanRun checks the pairing of pinyin syllables into words and the
// removal of legal-form suffixes.
func TestHanRun(t *testing.T) {
	for _, tt := range []struct{ in, want string }{{"华为技术有限公司", "huawei jishu"}, {"中兴通讯", "zhongxing tongxun"}} {
		if got := hanRun(tt.in); got != tt.want {
			t.Errorf("hanRun(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
