package firmware

import (
	"context"
	"runtime"
	"sync"
)

// prefetched is the content of one entry spooled ahead of emission.
type prefetched struct {
	out  spooled
	err  error
	done chan struct{}
}

// prefetcher spools the content of regular-file entries on several
// goroutines (decompression dominates unpacking) while emission stays
// sequential and in order.
type prefetcher struct {
	u      *unpacker
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// prefetch starts spooling the regular files among es in parallel and
// attaches the results to them. The caller must call wait before the
// source is closed.
func (u *unpacker) prefetch(ctx context.Context, es []entry) *prefetcher {
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetcher{u: u, cancel: cancel}
	workers := min(runtime.GOMAXPROCS(0), maxPrefetchWorkers)
	if workers < 2 {
		return p
	}
	jobs := make(chan *entry)
	for range workers {
		p.wg.Go(func() {
			for e := range jobs {
				if ctx.Err() == nil && e.Size <= u.lim.MaxFileSize {
					e.pre.out, e.pre.err = u.spool1(ctx, *e)
				} else {
					e.pre.err = context.Canceled
				}
				close(e.pre.done)
			}
		})
	}
	for i := range es {
		if es[i].Mode.IsRegular() && es[i].Open != nil && es[i].HardLink == "" {
			es[i].pre = &prefetched{done: make(chan struct{})}
		}
	}
	p.wg.Go(func() {
		defer close(jobs)
		for i := range es {
			if es[i].pre == nil {
				continue
			}
			select {
			case jobs <- &es[i]:
			case <-ctx.Done():
				e := &es[i]
				e.pre.err = context.Canceled
				close(e.pre.done)
			}
		}
	})
	return p
}

// wait stops outstanding work and waits for the workers.
func (p *prefetcher) wait() {
	p.cancel()
	p.wg.Wait()
}

// maxPrefetchWorkers bounds the goroutines spooling one container.
const maxPrefetchWorkers = 4
