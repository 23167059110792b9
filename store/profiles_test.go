package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/review"
)

func TestVendorProfiles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		st := openBackend(t, backend, t.TempDir())
		defer st.Close()
		at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
		ch := review.Change{Actor: "alice", At: at}
		docs := []struct {
			name, doc string
			want      int
		}{
			{"Example Networks Co., Ltd.", `{"name":"Example Networks Co., Ltd."}`, 1},
			{"Other  Vendor GmbH", `{"name":"Other Vendor GmbH"}`, 1},
			{"EXAMPLE NETWORKS CO., LTD.", `{"name":"Example Networks Co., Ltd.","country":"CN"}`, 2},
		}
		for _, d := range docs {
			v, err := st.PutVendorProfile(ctx, d.name, []byte(d.doc), ch)
			if err != nil || v != d.want {
				t.Fatalf("put %q: version %d, %v; want %d", d.name, v, err, d.want)
			}
		}
		p, err := st.VendorProfile(ctx, "example networks co., ltd.")
		if err != nil {
			t.Fatal(err)
		}
		if p.Version != 2 || string(p.Doc) != docs[2].doc || !p.Created.Equal(at) {
			t.Errorf("got %+v", p)
		}
		if _, err := st.VendorProfile(ctx, "Nobody"); !errors.Is(err, review.ErrNotFound) {
			t.Errorf("missing profile: %v, want ErrNotFound", err)
		}
		all, err := st.VendorProfiles(ctx)
		if err != nil || len(all) != 2 || all[0].Key != "example networks co., ltd." || all[1].Key != "other vendor gmbh" {
			t.Fatalf("list: %v %+v", err, all)
		}
		recs, err := st.Records(ctx, "vendor:other vendor gmbh")
		if err != nil || len(recs) != 1 || recs[0].Action != "vendor.import" || recs[0].Actor != "alice" {
			t.Fatalf("audit records %+v, %v", recs, err)
		}
		if _, err := st.Verify(ctx, nil); err != nil {
			t.Fatalf("verify: %v", err)
		}
		if _, err := st.db.ExecContext(ctx, st.q(`UPDATE vendor_profiles SET doc = ? WHERE key = ?`), `{"name":"Other Vendor GmbH","country":"DE"}`, "other vendor gmbh"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Verify(ctx, nil); !errors.Is(err, audit.ErrTampered) {
			t.Fatalf("verify after editing a profile directly: %v, want ErrTampered", err)
		}
		if _, err := st.db.ExecContext(ctx, `DELETE FROM vendor_profiles`); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Verify(ctx, nil); !errors.Is(err, audit.ErrTampered) {
			t.Fatalf("verify after deleting profiles: %v, want ErrTampered", err)
		}
	})
}
