// Package progress draws progress bars for long-running work on a
// terminal's stderr, and nothing at all elsewhere (pipes, CI logs,
// --quiet).
package progress

import (
	"io"
	"os"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// Bars is a set of concurrent progress bars. The zero value, and the
// value returned by New when output is not a terminal, draws nothing.
type Bars struct {
	p *mpb.Progress
}

// New returns bars drawn on w when w is a terminal and enabled is true.
func New(w io.Writer, enabled bool) *Bars {
	f, ok := w.(*os.File)
	if !enabled || !ok || !term.IsTerminal(int(f.Fd())) {
		return &Bars{}
	}
	return &Bars{p: mpb.New(mpb.WithOutput(w), mpb.WithAutoRefresh())}
}

// Bar is one unit of work in progress.
type Bar struct{ b *mpb.Bar }

// Start adds a bar; total is the number of steps (bytes or records), or a
// negative number when unknown.
func (bs *Bars) Start(name string, total int64) *Bar {
	if bs == nil || bs.p == nil {
		return &Bar{}
	}
	opts := []mpb.BarOption{
		mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR)),
		mpb.BarRemoveOnComplete(),
	}
	if total > 0 {
		opts = append(opts, mpb.AppendDecorators(decor.Percentage()))
	} else {
		total = 0
		opts = append(opts, mpb.AppendDecorators(decor.CurrentNoUnit("%d")))
	}
	return &Bar{b: bs.p.AddBar(total, opts...)}
}

// Add advances the bar by n steps.
func (b *Bar) Add(n int64) {
	if b.b != nil {
		b.b.IncrInt64(n)
	}
}

// Done completes the bar.
func (b *Bar) Done() {
	if b.b != nil {
		b.b.SetTotal(-1, true)
	}
}

// Wait flushes and stops the bars; call it before printing results.
func (bs *Bars) Wait() {
	if bs != nil && bs.p != nil {
		bs.p.Wait()
	}
}
