package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets tests run the dlayer command itself as a child process:
// with DLAYER_TEST_RUN_MAIN=1 the test binary is dlayer (os.Args[1:] are
// its arguments). The language-server tests start `dlayer lsp` this way,
// so they drive the real command over real pipes, with -race when the
// tests have it.
func TestMain(m *testing.M) {
	if os.Getenv("DLAYER_TEST_RUN_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}

// dlayerCommand returns the command line and environment that run dlayer
// with the given arguments (the test binary, see TestMain).
func dlayerCommand(t *testing.T, args ...string) (string, []string, []string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe, args, append(os.Environ(), "DLAYER_TEST_RUN_MAIN=1")
}

// lspMsg is a JSON-RPC message as the test client sees it.
type lspMsg struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      *int            `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

type lspDiag struct {
	Range struct {
		Start struct{ Line, Character int } `json:"start"`
		End   struct{ Line, Character int } `json:"end"`
	} `json:"range"`
	Severity int             `json:"severity"`
	Code     string          `json:"code"`
	Source   string          `json:"source"`
	Message  string          `json:"message"`
	Data     json.RawMessage `json:"data,omitempty"`
}

// lspClient speaks JSON-RPC with a `dlayer lsp` child process.
type lspClient struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr strings.Builder

	mu      sync.Mutex
	nextID  int
	pending map[int]chan lspMsg
	diags   map[string][]lspDiag // latest published, by URI
	changed chan struct{}        // closed and replaced on every publish
	done    chan struct{}
}

func startLSP(t *testing.T) *lspClient {
	t.Helper()
	exe, args, environ := dlayerCommand(t, "lsp", "--stdio")
	cmd := exec.Command(exe, args...)
	cmd.Env = environ
	c := &lspClient{t: t, cmd: cmd, pending: map[int]chan lspMsg{}, diags: map[string][]lspDiag{}, changed: make(chan struct{}), done: make(chan struct{})}
	cmd.Stderr = &lockedWriter{b: &c.stderr, mu: &c.mu}
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go c.readLoop(bufio.NewReader(out))
	t.Cleanup(func() {
		c.stdin.Close()
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			c.cmd.Process.Kill()
		}
		c.cmd.Wait()
	})
	return c
}

type lockedWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (c *lspClient) readLoop(r *bufio.Reader) {
	defer close(c.done)
	for {
		hdr, err := textproto.NewReader(r).ReadMIMEHeader()
		if err != nil {
			return
		}
		n, err := strconv.Atoi(hdr.Get("Content-Length"))
		if err != nil {
			c.t.Errorf("bad Content-Length header %q", hdr.Get("Content-Length"))
			return
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		var m lspMsg
		if err := json.Unmarshal(body, &m); err != nil {
			c.t.Errorf("server sent invalid JSON: %v: %s", err, body)
			return
		}
		if m.JSONRPC != "2.0" {
			c.t.Errorf("server message without jsonrpc 2.0: %s", body)
		}
		c.mu.Lock()
		switch {
		case m.Method == "textDocument/publishDiagnostics":
			var p struct {
				URI         string    `json:"uri"`
				Diagnostics []lspDiag `json:"diagnostics"`
			}
			if err := json.Unmarshal(m.Params, &p); err != nil || p.Diagnostics == nil {
				c.t.Errorf("bad publishDiagnostics (diagnostics must be a list, [] when clean): %s", body)
			}
			c.diags[p.URI] = p.Diagnostics
			close(c.changed)
			c.changed = make(chan struct{})
		case m.ID != nil && m.Method == "":
			if ch := c.pending[*m.ID]; ch != nil {
				ch <- m
				delete(c.pending, *m.ID)
			}
		}
		c.mu.Unlock()
	}
}

func (c *lspClient) write(v any) {
	c.t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := fmt.Fprintf(c.stdin, "Content-Length: %d\r\n\r\n%s", len(body), body); err != nil {
		c.t.Fatalf("write to dlayer lsp: %v", err)
	}
}

func (c *lspClient) notify(method string, params any) {
	c.t.Helper()
	c.write(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// call sends a request and returns its response.
func (c *lspClient) call(method string, params any) lspMsg {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan lspMsg, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	c.write(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	select {
	case m := <-ch:
		return m
	case <-time.After(30 * time.Second):
		c.mu.Lock()
		defer c.mu.Unlock()
		c.t.Fatalf("no response to %s within 30s; server stderr:\n%s", method, c.stderr.String())
	}
	return lspMsg{}
}

// result calls and decodes the result into out, failing on an error response.
func (c *lspClient) result(method string, params, out any) {
	c.t.Helper()
	m := c.call(method, params)
	if m.Error != nil {
		c.t.Fatalf("%s: error %d: %s", method, m.Error.Code, m.Error.Message)
	}
	if out != nil {
		if err := json.Unmarshal(m.Result, out); err != nil {
			c.t.Fatalf("%s: decode result %s: %v", method, m.Result, err)
		}
	}
}

// waitDiags waits until the diagnostics published for uri satisfy ok.
func (c *lspClient) waitDiags(uri string, ok func([]lspDiag) bool) []lspDiag {
	c.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		c.mu.Lock()
		ds, seen := c.diags[uri]
		ch := c.changed
		c.mu.Unlock()
		if seen && ok(ds) {
			return ds
		}
		select {
		case <-ch:
		case <-deadline:
			c.t.Fatalf("diagnostics for %s never matched; last: %+v", uri, ds)
			return nil
		}
	}
}

func fileURI(p string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

// copySchemaDir copies the files of src (one level) into a new temporary directory.
func copySchemaDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}
