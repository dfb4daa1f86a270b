package loader

// Default limits for hostile input.
const (
	// DefaultMaxFileSize is the largest schema file accepted, in bytes.
	DefaultMaxFileSize = 4 << 20
	// DefaultMaxDepth is the deepest nesting of YAML collections accepted.
	DefaultMaxDepth = 64
	// DefaultMaxNodes is the most YAML nodes one file may expand to,
	// aliases and merge keys included.
	DefaultMaxNodes = 1_000_000
	// DefaultMaxAliasNodes is the most nodes YAML aliases and merge keys
	// may add to one file by expansion.
	DefaultMaxAliasNodes = 100_000
)

// Sources maps a file name, as used in diagnostics, to its content. Pass one
// to CollectSources to keep the text for FormatText's snippets.
type Sources map[string][]byte

type config struct {
	maxFileSize   int64
	maxDepth      int
	maxNodes      int
	maxAliasNodes int
	sources       Sources
}

func newConfig(opts []Option) *config {
	c := &config{maxFileSize: DefaultMaxFileSize, maxDepth: DefaultMaxDepth, maxNodes: DefaultMaxNodes, maxAliasNodes: DefaultMaxAliasNodes}
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

// MaxDepth sets the deepest YAML nesting accepted (values < 1 keep the default).
func MaxDepth(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxDepth = n
		}
	}
}

// MaxNodes sets the most YAML nodes a file may expand to, aliases included
// (values < 1 keep the default).
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
// to one file (values < 1 keep the default).
func MaxAliasNodes(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxAliasNodes = n
		}
	}
}
