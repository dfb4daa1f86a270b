package loader

import (
	"fmt"
	"math"
	"os"
	"strconv"
)

// Default limits for hostile input. The node, alias and total-size budgets
// hold for the whole load (all files together), so that no input, however
// it is split into files, takes more than about 256 MiB and a few seconds
// to validate.
const (
	// DefaultMaxFileSize is the largest schema file accepted, in bytes.
	DefaultMaxFileSize = 4 << 20
	// DefaultMaxTotalSize is the most bytes all the files of one load may
	// hold together.
	DefaultMaxTotalSize = 8 << 20
	// DefaultMaxDepth is the deepest nesting of YAML collections accepted.
	DefaultMaxDepth = 64
	// DefaultMaxNodes is the most YAML nodes all the files of one load may
	// expand to, aliases and merge keys included (a schema of a thousand
	// tables of ten columns uses about 100,000).
	DefaultMaxNodes = 200_000
	// DefaultMaxAliasNodes is the most nodes YAML aliases and merge keys
	// may add to one load by expansion.
	DefaultMaxAliasNodes = 100_000
)

// Sources maps a file name, as used in diagnostics, to its content. Pass one
// to CollectSources to keep the text for FormatText's snippets.
type Sources map[string][]byte

type config struct {
	maxFileSize   int64
	maxTotalSize  int64
	maxDepth      int
	maxNodes      int
	maxAliasNodes int
	sources       Sources
}

func newConfig(opts []Option) *config {
	c := &config{maxFileSize: DefaultMaxFileSize, maxTotalSize: DefaultMaxTotalSize, maxDepth: DefaultMaxDepth, maxNodes: DefaultMaxNodes, maxAliasNodes: DefaultMaxAliasNodes}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// Option changes how a schema is loaded.
type Option func(*config)

// MaxFileSize sets the largest file accepted, in bytes (values < 1 keep the default).
func MaxFileSize(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxFileSize = n
		}
	}
}

// MaxTotalSize sets the most bytes all the files of one load may hold
// together (values < 1 keep the default).
func MaxTotalSize(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxTotalSize = n
		}
	}
}

// MaxDepth sets the deepest YAML nesting accepted (values < 1 keep the default).
func MaxDepth(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxDepth = n
		}
	}
}

// MaxNodes sets the most YAML nodes all the files of one load may expand
// to, aliases included (values < 1 keep the default). Before parsing a file
// the loader estimates its nodes from the text and refuses the load when
// the estimate passes 1.5 times this budget, so a hostile file costs no
// parser memory; the exact count is checked as the tree is built.
func MaxNodes(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxNodes = n
		}
	}
}

// CollectSources makes the loader store every file it reads into s, keyed
// by the file name used in diagnostics.
func CollectSources(s Sources) Option {
	return func(c *config) { c.sources = s }
}

// MaxAliasNodes sets the most nodes alias and merge-key expansion may add
// to one load (values < 1 keep the default).
func MaxAliasNodes(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxAliasNodes = n
		}
	}
}

// LimitsFromEnv returns the options that raise (or lower) the load budgets
// from the environment, for programs such as the dlayer command whose users
// cannot call MaxNodes: DLAYER_MAX_NODES (YAML nodes of the whole load) and
// DLAYER_MAX_TOTAL_SIZE (bytes of all files together). Unset variables give
// no option; a value that is not a positive integer is an error.
func LimitsFromEnv() ([]Option, error) {
	var opts []Option
	for _, v := range []struct {
		name string
		set  func(n int64) Option
	}{
		{"DLAYER_MAX_NODES", func(n int64) Option { return MaxNodes(int(n)) }},
		{"DLAYER_MAX_TOTAL_SIZE", MaxTotalSize},
	} {
		s := os.Getenv(v.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 || n > math.MaxInt32 {
			return nil, fmt.Errorf("%s=%q: want a positive whole number", v.name, s)
		}
		opts = append(opts, v.set(n))
	}
	return opts, nil
}
