package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	dbURL := flag.String("db", "", "database URL (postgres://…, mysql://…, sqlite:file.db); default: a temporary SQLite file")
	replica := flag.String("replica", "", "URL of a second database standing in for a read replica; default: a temporary SQLite file")
	keep := flag.Bool("keep", false, "leave the tour's tables (and temporary SQLite files) in place at the end")
	reset := flag.Bool("reset", false, "drop the tour's tables first (leftovers of an interrupted run)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := runTour(ctx, os.Stdout, config{URL: *dbURL, Replica: *replica, Keep: *keep, Reset: *reset}); err != nil {
		fmt.Fprintln(os.Stderr, "blog:", err)
		os.Exit(1)
	}
}

// config says where the tour runs.
type config struct {
	// URL is the primary database ("" for a temporary SQLite file).
	URL string
	// Replica is the second database of the routing step ("" for a
	// temporary SQLite file).
	Replica string
	// Keep leaves tables and temporary files in place.
	Keep bool
	// Reset drops the tour's tables before creating them.
	Reset bool
}

// run performs the whole tour on the database at url, writing what it does
// to w.
func run(ctx context.Context, w io.Writer, url string) error {
	_, err := runTour(ctx, w, config{URL: url})
	return err
}
