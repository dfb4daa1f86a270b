// Package dialecttest holds what the dialect packages' tests share: a
// hand-built representative schema, a hostile one, the statement cases every
// dialect compiles, golden-file helpers and the injection suite. It is
// imported by tests only.
package dialecttest
