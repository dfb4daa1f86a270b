package enginetest

import "testing"

func testObservability(t *testing.T, cfg Config) {}
func testRetryable(t *testing.T, cfg Config)     {}
