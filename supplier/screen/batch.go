package screen

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// DefaultMaxBatchLine bounds one line of a batch file.
const DefaultMaxBatchLine = 64 << 10

// BatchError is written for a batch line that could not be screened.
type BatchError struct {
	Schema string `json:"schema"`
	Line   int    `json:"line"`
	Error  string `json:"error"`
}

// BatchStats summarises a batch run.
type BatchStats struct {
	Queries, Alerts, Reviews, Errors int
}

// Batch reads JSON lines {"query": ..., "country": ...} from r and writes
// one JSON line per input line to w, in input order: a Result, or a
// BatchError for a line that is not valid JSON or has no query. Queries
// are screened in parallel. Lines longer than maxLine bytes (0 means
// DefaultMaxBatchLine) fail the batch.
func Batch(ctx context.Context, s *Screener, r io.Reader, w io.Writer, maxLine int) (BatchStats, error) {
	if maxLine <= 0 {
		maxLine = DefaultMaxBatchLine
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	type job struct {
		line int
		q    Query
		err  error
		out  chan any
	}
	jobs := make(chan *job, 256)
	order := make(chan *job, 256)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range jobs {
				if j.err != nil {
					j.out <- &BatchError{Schema: Schema, Line: j.line, Error: j.err.Error()}
					continue
				}
				res, err := s.Screen(j.q)
				if err != nil {
					j.out <- &BatchError{Schema: Schema, Line: j.line, Error: err.Error()}
					continue
				}
				j.out <- res
			}
		})
	}
	var readErr error
	go func() {
		defer close(order)
		defer close(jobs)
		line := 0
		for sc.Scan() {
			line++
			if len(sc.Bytes()) == 0 {
				continue
			}
			if ctx.Err() != nil {
				readErr = ctx.Err()
				return
			}
			j := &job{line: line, out: make(chan any, 1)}
			j.q, j.err = parseBatchLine(sc.Bytes())
			order <- j
			jobs <- j
		}
		if err := sc.Err(); err != nil {
			readErr = fmt.Errorf("read batch line %d: %w", line+1, err)
		}
	}()
	enc := json.NewEncoder(w)
	var st BatchStats
	var writeErr error
	for j := range order {
		v := <-j.out
		if writeErr != nil {
			continue
		}
		switch v := v.(type) {
		case *Result:
			st.Queries++
			switch v.Decision {
			case "alert":
				st.Alerts++
			case "review":
				st.Reviews++
			}
		case *BatchError:
			st.Errors++
		}
		writeErr = enc.Encode(v)
	}
	wg.Wait()
	return st, errors.Join(readErr, writeErr)
}

// parseBatchLine decodes one batch line.
func parseBatchLine(b []byte) (Query, error) {
	var q Query
	if err := json.Unmarshal(b, &q); err != nil {
		return Query{}, fmt.Errorf("invalid JSON: %w", err)
	}
	if q.Name == "" {
		return Query{}, errors.New(`missing "query"`)
	}
	return q, nil
}
