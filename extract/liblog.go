package extract

import (
	"fmt"
	"log/slog"

	scalibrlog "github.com/google/osv-scalibr/log"
)

// RouteLibraryLogs sends the log output of the osv-scalibr extractors
// (which otherwise print to the standard logger) to l, at debug level for
// everything but errors, which become warnings. osv-scalibr keeps its
// logger in a process-wide variable, so call this once from main.
func RouteLibraryLogs(l *slog.Logger) {
	scalibrlog.SetLogger(slogAdapter{l})
}

type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Errorf(format string, args ...any) {
	a.l.Warn(fmt.Sprintf(format, args...), "lib", "scalibr")
}
func (a slogAdapter) Error(args ...any) { a.l.Warn(fmt.Sprint(args...), "lib", "scalibr") }
func (a slogAdapter) Warnf(format string, args ...any) {
	a.l.Debug(fmt.Sprintf(format, args...), "lib", "scalibr")
}
func (a slogAdapter) Warn(args ...any) { a.l.Debug(fmt.Sprint(args...), "lib", "scalibr") }
func (a slogAdapter) Infof(format string, args ...any) {
	a.l.Debug(fmt.Sprintf(format, args...), "lib", "scalibr")
}
func (a slogAdapter) Info(args ...any) { a.l.Debug(fmt.Sprint(args...), "lib", "scalibr") }
func (a slogAdapter) Debugf(format string, args ...any) {
	a.l.Debug(fmt.Sprintf(format, args...), "lib", "scalibr")
}
func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "lib", "scalibr") }
