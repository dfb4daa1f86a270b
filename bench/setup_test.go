package bench

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// Sizes shared by every contender.
const (
	readRows    = 10_000 // rows seeded before any case runs
	sliceRows   = 100    // ReadSlice
	selectRows  = 10_000 // Select10k
	multiRows   = 100    // InsertMulti
	updateSpan  = 1_000  // Update cycles over ids 1..updateSpan
	users       = 1_000  // EagerLoad parents
	postsPer    = 10     // EagerLoad children per parent
	flushRows   = 10_000 // Flush
	fullStream  = 1_000_000
	smallStream = 100_000
)

// streamRows is the number of rows the Stream case reads: 1,000,000 with
// DLAYER_BENCH_FULL=1 (and without -short), else 100,000 so that the smoke
// run (`-benchtime 1x`) stays quick.
func streamRows() int {
	if os.Getenv("DLAYER_BENCH_FULL") == "1" && !testing.Short() {
		return fullStream
	}
	return smallStream
}

func streamCaseName() string {
	if streamRows() == fullStream {
		return "Stream1M"
	}
	return "Stream100k"
}

// cleanups run after every benchmark, in reverse order.
var (
	cleanupMu sync.Mutex
	cleanups  []func()
)

func atExit(f func()) {
	cleanupMu.Lock()
	cleanups = append(cleanups, f)
	cleanupMu.Unlock()
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	cleanupMu.Lock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanupMu.Unlock()
	os.Exit(code)
}

// uniqueName returns a name no other run uses at the same time.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), time.Now().UnixNano()%1_000_000_000)
}

// withParam returns rawURL with the query parameter key set to value.
func withParam(rawURL, key, value string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// benchCase is one measured operation; it runs for every contender that
// implements the interface the case needs.
type benchCase struct {
	name     string
	supports func(c any) bool
	run      func(b *testing.B, c any)
}

func caseOf[I any](name string, run func(b *testing.B, c I)) benchCase {
	return benchCase{
		name:     name,
		supports: func(c any) bool { _, ok := c.(I); return ok },
		run:      func(b *testing.B, c any) { run(b, c.(I)) },
	}
}

// contender is a named way to open one library's handle on a database.
type contender struct {
	name string
	open func(ctx context.Context, dsn string) (any, error)
}

// opened caches every contender's handle per database for the whole
// process: opened once, closed by TestMain.
type opened struct {
	mu      sync.Mutex
	handles map[string]any
	errs    map[string]error
}

func (o *opened) get(ctx context.Context, c contender, dsn string) (any, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.handles == nil {
		o.handles, o.errs = map[string]any{}, map[string]error{}
	}
	if h, ok := o.handles[c.name]; ok {
		return h, o.errs[c.name]
	}
	h, err := c.open(ctx, dsn)
	o.handles[c.name], o.errs[c.name] = h, err
	if cl, ok := h.(interface{ Close() }); ok && err == nil {
		atExit(cl.Close)
	}
	return h, err
}

// runCases runs every case for every contender implementing it, as
// sub-benchmarks <case>/<contender>.
func runCases(b *testing.B, cases []benchCase, contenders []contender, o *opened, dsn string) {
	ctx := context.Background()
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			for _, c := range contenders {
				h, err := o.get(ctx, c, dsn)
				if err != nil {
					b.Errorf("open %s: %v", c.name, err)
					continue
				}
				if !bc.supports(h) {
					continue
				}
				b.Run("lib="+c.name, func(b *testing.B) { bc.run(b, h) })
			}
		})
	}
}

// heapPeak samples the bytes of heap objects (live or not yet swept) and
// keeps the largest value seen. Sampling reads one runtime metric, which
// does not stop the world or allocate.
type heapPeak struct {
	s    []metrics.Sample
	peak uint64
	rows int
}

func newHeapPeak() *heapPeak {
	return &heapPeak{s: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
}

func (h *heapPeak) sample() {
	metrics.Read(h.s)
	if v := h.s[0].Value.Uint64(); v > h.peak {
		h.peak = v
	}
}

// row counts one streamed row and samples every 1,024 rows.
func (h *heapPeak) row() {
	h.rows++
	if h.rows&1023 == 0 {
		h.sample()
	}
}

// report publishes the peak, in bytes, as the custom metric peak-heap-B
// (benchstat scales it to KiB/MiB).
func (h *heapPeak) report(b *testing.B) {
	b.ReportMetric(float64(h.peak), "peak-heap-B")
}

// gcQuiet collects garbage with the timer stopped, so each measured
// operation starts from the same heap.
func gcQuiet(b *testing.B) {
	b.StopTimer()
	runtime.GC()
	b.StartTimer()
}
