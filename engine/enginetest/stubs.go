package enginetest

import "testing"

func testCancel(t *testing.T, cfg Config)        {}
func testStream(t *testing.T, cfg Config)        {}
func testTransactions(t *testing.T, cfg Config)  {}
func testQueryBuilder(t *testing.T, cfg Config)  {}
func testObservability(t *testing.T, cfg Config) {}
func testRetryable(t *testing.T, cfg Config)     {}
