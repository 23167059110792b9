package vulndb

// Progress reports long-running work (downloads, imports). The command
// line implements it with progress bars on a terminal; NoProgress
// discards everything.
type Progress interface {
	// Start begins a unit of work of total steps (bytes or records; -1
	// when unknown).
	Start(name string, total int64) Bar
}

// Bar tracks one unit of work.
type Bar interface {
	Add(n int64)
	Done()
}

// NoProgress is a Progress that reports nothing.
type NoProgress struct{}

// Start implements Progress.
func (NoProgress) Start(string, int64) Bar { return noBar{} }

type noBar struct{}

func (noBar) Add(int64) {}
func (noBar) Done()     {}
