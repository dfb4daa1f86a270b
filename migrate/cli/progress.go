package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/dlayer/dlayer/migrate"
)

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressPrinter prints a line to w for each statement of a migration
// that has run for longer than after: when the statement starts, or as
// soon as the migration crosses after while the statement runs.
type progressPrinter struct {
	w     io.Writer
	after time.Duration

	mu      sync.Mutex
	cur     migrate.Progress
	active  bool
	printed bool // a line was printed for cur's statement
	shown   bool // a line was printed for cur's migration
}

// startProgress sets o.progress to a progress printer on o.Stderr when it
// is a terminal and the format is text, and returns the function that stops
// the printer.
func startProgress(o *Options) func() {
	if o.Format == "json" || !o.IsTerminal(o.Stderr) {
		return func() {}
	}
	p := &progressPrinter{w: o.Stderr, after: o.ProgressAfter}
	o.progress = p.event
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(min(100*time.Millisecond, max(p.after/4, time.Millisecond)))
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				p.mu.Lock()
				p.maybePrint()
				p.mu.Unlock()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
		})
	}
}

func (p *progressPrinter) event(ev migrate.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Done {
		if p.shown && p.cur.Version == ev.Version {
			fmt.Fprintf(p.w, "%s_%s (%s): finished %d statements in %s\n", ev.Version, ev.Name, ev.Direction, ev.Total,
				time.Since(ev.Started).Round(100*time.Millisecond))
		}
		p.active, p.shown = false, false
		return
	}
	if p.cur.Version != ev.Version || p.cur.Direction != ev.Direction {
		p.shown = false
	}
	p.cur, p.active, p.printed = ev, true, false
	p.maybePrint()
}

// maybePrint prints the current statement's line once the migration has
// run for p.after; p.mu is held.
func (p *progressPrinter) maybePrint() {
	if !p.active || p.printed || time.Since(p.cur.Started) < p.after {
		return
	}
	ev := p.cur
	sql := oneLine(ev.SQL)
	if len(sql) > 72 {
		sql = sql[:69] + "..."
	}
	fmt.Fprintf(p.w, "%s_%s (%s): statement %d/%d, %s: %s\n", ev.Version, ev.Name, ev.Direction, ev.Statement, ev.Total,
		time.Since(ev.Started).Round(100*time.Millisecond), sql)
	p.printed, p.shown = true, true
}

func oneLine(s string) string {
	out := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
			space = len(out) > 0
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, c)
	}
	return string(out)
}
