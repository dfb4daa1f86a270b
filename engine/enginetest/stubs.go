package enginetest

import "testing"

func testTransactions(t *testing.T, cfg Config)  {}
func testQueryBuilder(t *testing.T, cfg Config)  {}
func testObservability(t *testing.T, cfg Config) {}
func testRetryable(t *testing.T, cfg Config)     {}
