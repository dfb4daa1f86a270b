package testdb

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// TestSkippedSuiteIsVisible runs `go test ./testdata/skipdemo` without -v
// and with no database configured, and checks that the plain output names
// the suite that did not run.
func TestSkippedSuiteIsVisible(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the notice reaches the go command through /proc (Linux only)")
	}
	if testing.Short() {
		t.Skip("builds a test binary")
	}
	cmd := exec.Command("go", "test", "-count=1", "./testdata/skipdemo/")
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DLAYER_TEST_") || strings.HasPrefix(kv, "CI=") {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput() // a pipe, as in CI logs
	if err != nil {
		t.Fatalf("go test skipdemo: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "postgres TESTS NOT RUN") || !strings.Contains(string(out), "DLAYER_TEST_POSTGRES_URL") {
		t.Fatalf("plain go test output does not show the skipped suite:\n%s", out)
	}
}
