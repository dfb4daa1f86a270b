package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/loader"
)

// Options configure a Server.
type Options struct {
	// Loader options for every load (budgets; see loader.LimitsFromEnv).
	Loader []loader.Option
	// Dialects whose SQL types hovers show.
	Dialects []dialects.Dialect
	// Version is reported to the client as the server's version.
	Version string
	// Log receives a line per failure the client is not told about
	// (nil: discarded).
	Log io.Writer
}

// ErrNoShutdown is returned by Serve when the client sent exit without
// shutdown, or closed the stream: the protocol's exit code is then 1.
var ErrNoShutdown = errors.New("lsp: the client exited without shutdown")

// Server is a language server for one client connection. It is not safe
// for concurrent use except as Serve uses it.
type Server struct {
	conn     *conn
	opts     Options
	debounce time.Duration

	mu          sync.Mutex
	initialized bool
	shutdown    bool
	watch       bool // the client registers file watchers on request
	root        string
	schemaDirs  []string
	workspaces  map[string]*workspace // by root directory
	docs        map[string]*document  // open documents by absolute path
}

// document is an open buffer.
type document struct {
	uri  string
	path string
	text string
	ws   *workspace
	rel  string
}

// Serve runs a language server over in and out (the client's stdio) until
// the client sends exit, closes the stream, or ctx is done. It returns nil
// after shutdown and exit, ErrNoShutdown after an exit or end of stream
// without shutdown, and the error of a broken stream.
func Serve(ctx context.Context, in io.Reader, out io.Writer, opts Options) error {
	s := &Server{
		conn:       newConn(in, out),
		opts:       opts,
		debounce:   150 * time.Millisecond,
		workspaces: map[string]*workspace{},
		docs:       map[string]*document{},
	}
	if s.opts.Log == nil {
		s.opts.Log = io.Discard
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the reader below once Serve returns
	type read struct {
		body []byte
		err  error
	}
	msgs := make(chan read)
	go func() {
		for {
			b, err := s.conn.read()
			select {
			case msgs <- read{b, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer s.stopTimers()
	for {
		var r read
		select {
		case <-ctx.Done():
			return ctx.Err()
		case r = <-msgs:
		}
		if errors.Is(r.err, io.EOF) {
			return ErrNoShutdown
		}
		if r.err != nil {
			return r.err
		}
		if done, err := s.handle(r.body); done {
			return err
		}
	}
}

// allWorkspaces lists the workspaces; callers then lock each one without
// holding s.mu (a workspace publishing diagnostics takes s.mu).
func (s *Server) allWorkspaces() []*workspace {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*workspace, 0, len(s.workspaces))
	for _, w := range s.workspaces {
		out = append(out, w)
	}
	return out
}

func (s *Server) stopTimers() {
	for _, w := range s.allWorkspaces() {
		w.mu.Lock()
		if w.timer != nil {
			w.timer.Stop()
		}
		w.mu.Unlock()
	}
}

func (s *Server) logf(format string, args ...any) {
	fmt.Fprintf(s.opts.Log, "dlayer lsp: "+format+"\n", args...)
}

// send writes a notification; a failure is logged (the read loop sees the
// broken stream).
func (s *Server) send(method string, params any) {
	if err := s.conn.notify(method, params); err != nil {
		s.logf("send %s: %v", method, err)
	}
}

// handle processes one message; done reports that the server must stop.
func (s *Server) handle(body []byte) (done bool, exitErr error) {
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		s.conn.reply(nil, nil, errorf(codeParseError, "invalid JSON: %v", err))
		return false, nil
	}
	isRequest := len(m.ID) > 0 && string(m.ID) != "null"
	if m.Method == "" {
		if !isRequest {
			s.conn.reply(nil, nil, errorf(codeInvalidRequest, "a message needs a method"))
		}
		return false, nil // a response to a request of ours: none are sent
	}
	if m.Method == "exit" {
		s.mu.Lock()
		clean := s.shutdown
		s.mu.Unlock()
		if clean {
			return true, nil
		}
		return true, ErrNoShutdown
	}
	result, err := s.dispatch(m.Method, m.Params, isRequest)
	if isRequest {
		if werr := s.conn.reply(m.ID, result, err); werr != nil {
			s.logf("reply to %s: %v", m.Method, werr)
		}
	} else if err != nil {
		s.logf("%s: %v", m.Method, err)
	}
	return false, nil
}

func decode[T any](raw json.RawMessage) (T, error) {
	var v T
	if len(raw) == 0 {
		return v, errorf(codeInvalidParams, "missing params")
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, errorf(codeInvalidParams, "invalid params: %v", err)
	}
	return v, nil
}

func (s *Server) dispatch(method string, raw json.RawMessage, isRequest bool) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			// A bug must not take the editor's session down: report it.
			result, err = nil, errorf(codeInternalError, "internal error in %s: %v", method, r)
		}
	}()
	s.mu.Lock()
	initialized, shutdown := s.initialized, s.shutdown
	s.mu.Unlock()
	if method == "initialize" {
		return s.initialize(raw)
	}
	if !initialized {
		if !isRequest {
			return nil, nil
		}
		return nil, errorf(codeServerNotInitialized, "the server is not initialized")
	}
	if shutdown && isRequest {
		return nil, errorf(codeInvalidRequest, "the server is shutting down")
	}
	switch method {
	case "initialized":
		s.mu.Lock()
		watch := s.watch
		s.mu.Unlock()
		if watch {
			// Files changed on disk (a git checkout, another editor) are
			// re-checked too. The client's answer needs no handling.
			req := map[string]any{"registrations": []map[string]any{{
				"id": "dlayer-schema-files", "method": "workspace/didChangeWatchedFiles",
				"registerOptions": map[string]any{"watchers": []map[string]any{{"globPattern": "**/*.{yaml,yml}"}}},
			}}}
			raw, _ := json.Marshal(req)
			if err := s.conn.write(&message{ID: json.RawMessage(`"dlayer-register-watchers"`), Method: "client/registerCapability", Params: raw}); err != nil {
				s.logf("register file watchers: %v", err)
			}
		}
		return nil, nil
	case "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration":
		return nil, nil
	case "shutdown":
		s.mu.Lock()
		s.shutdown = true
		s.mu.Unlock()
		return nil, nil
	case "textDocument/didOpen":
		p, err := decode[didOpenParams](raw)
		if err != nil {
			return nil, err
		}
		return nil, s.open(p.TextDocument.URI, p.TextDocument.Text)
	case "textDocument/didChange":
		p, err := decode[didChangeParams](raw)
		if err != nil {
			return nil, err
		}
		return nil, s.change(p)
	case "textDocument/didClose":
		p, err := decode[didCloseParams](raw)
		if err != nil {
			return nil, err
		}
		return nil, s.close(p.TextDocument.URI)
	case "textDocument/didSave", "workspace/didChangeWatchedFiles":
		for _, w := range s.allWorkspaces() {
			w.schedule()
		}
		return nil, nil
	case "textDocument/completion":
		snap, f, p, err := s.positionRequest(raw)
		if err != nil {
			return nil, err
		}
		items := s.complete(snap, f.text, p.Position)
		if items == nil {
			items = []completionItem{}
		}
		return completionList{Items: items}, nil
	case "textDocument/hover":
		snap, f, p, err := s.positionRequest(raw)
		if err != nil {
			return nil, err
		}
		if h := s.hoverAt(snap, f, p.Position); h != nil {
			return h, nil
		}
		return nil, nil
	case "textDocument/definition":
		snap, f, p, err := s.positionRequest(raw)
		if err != nil {
			return nil, err
		}
		return s.definition(snap, f, p.Position), nil
	case "textDocument/references":
		p, err := decode[referenceParams](raw)
		if err != nil {
			return nil, err
		}
		snap, f, err := s.fileAt(p.TextDocument.URI)
		if err != nil {
			return nil, err
		}
		return s.references(snap, f, p.Position, p.Context.IncludeDeclaration), nil
	case "textDocument/prepareRename":
		snap, f, p, err := s.positionRequest(raw)
		if err != nil {
			return nil, err
		}
		sym, r, err := renameTarget(snap, f, p.Position)
		if err != nil {
			return nil, nil // not renameable here: the client says so
		}
		return prepareRenameResult{Range: r, Placeholder: sym.name}, nil
	case "textDocument/rename":
		p, err := decode[renameParams](raw)
		if err != nil {
			return nil, err
		}
		snap, f, err := s.fileAt(p.TextDocument.URI)
		if err != nil {
			return nil, err
		}
		return s.rename(snap, f, p.Position, p.NewName)
	case "textDocument/codeAction":
		p, err := decode[codeActionParams](raw)
		if err != nil {
			return nil, err
		}
		_, f, err := s.fileAt(p.TextDocument.URI)
		if err != nil {
			return nil, err
		}
		return s.quickFixes(p.TextDocument.URI, f.text, p), nil
	}
	if isRequest {
		return nil, errorf(codeMethodNotFound, "method %q is not supported", method)
	}
	return nil, nil
}

func (s *Server) initialize(raw json.RawMessage) (any, error) {
	var p initializeParams
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, errorf(codeInvalidParams, "invalid initialize params: %v", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.initialized {
		return nil, errorf(codeInvalidRequest, "initialize was already received")
	}
	switch {
	case p.RootURI != "":
		if r, err := uriToPath(p.RootURI); err == nil {
			s.root = r
		}
	case p.RootPath != "":
		s.root = filepath.Clean(p.RootPath)
	case len(p.WorkspaceFolders) > 0:
		if r, err := uriToPath(p.WorkspaceFolders[0].URI); err == nil {
			s.root = r
		}
	}
	if o := p.InitializationOptions; o != nil {
		for _, d := range o.SchemaDirs {
			if !filepath.IsAbs(d) && s.root != "" {
				d = filepath.Join(s.root, d)
			}
			if abs, err := filepath.Abs(d); err == nil {
				s.schemaDirs = append(s.schemaDirs, abs)
			}
		}
		if o.DebounceMillis != nil && *o.DebounceMillis >= 0 {
			s.debounce = time.Duration(*o.DebounceMillis) * time.Millisecond
		}
	}
	s.initialized = true
	s.watch = p.Capabilities.Workspace.DidChangeWatchedFiles.DynamicRegistration
	version := s.opts.Version
	if version == "" {
		version = "dev"
	}
	return map[string]any{
		"capabilities": map[string]any{
			"textDocumentSync": map[string]any{"openClose": true, "change": 1, "save": map[string]any{"includeText": false}},
			"completionProvider": map[string]any{
				"triggerCharacters": []string{":", " ", ".", "{", ",", "[", "-"},
			},
			"hoverProvider":      true,
			"definitionProvider": true,
			"referencesProvider": true,
			"renameProvider":     map[string]any{"prepareProvider": true},
			"codeActionProvider": map[string]any{"codeActionKinds": []string{"quickfix"}},
		},
		"serverInfo": map[string]any{"name": "dlayer", "version": version},
	}, nil
}

// workspaceFor returns the workspace of the file at p, creating it: the
// configured schema directory holding p, else an open workspace holding
// it, else p's directory when it holds schema files — extended upwards
// while the parent directory holds schema files too — else p alone (its
// directory is not walked: it may be a home directory). Callers hold s.mu.
func (s *Server) workspaceFor(p string) *workspace {
	best := ""
	for _, d := range s.schemaDirs {
		if under(p, d) && len(d) > len(best) {
			best = d
		}
	}
	if best == "" {
		for root, w := range s.workspaces {
			if !w.single && under(p, root) && len(root) > len(best) {
				best = root
			}
		}
	}
	single := false
	if best == "" {
		best = filepath.Dir(p)
		if holdsSchemaFiles(best) {
			for {
				parent := filepath.Dir(best)
				if parent == best || !holdsSchemaFiles(parent) || s.root != "" && !under(parent, s.root) {
					break
				}
				best = parent
			}
		} else {
			single = true
		}
	}
	key := best
	if single {
		key = p
	}
	w := s.workspaces[key]
	if w == nil {
		w = &workspace{root: best, single: single, srv: s, overlay: map[string]string{}}
		s.workspaces[key] = w
	}
	return w
}

func under(p, dir string) bool {
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// holdsSchemaFiles reports whether dir directly holds a YAML file whose
// text starts a dlayer schema (a top-level models:, types: or tables:).
func holdsSchemaFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".yaml") && !strings.HasSuffix(n, ".yml") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil || len(b) > 4<<20 {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "models:") || strings.HasPrefix(line, "types:") || strings.HasPrefix(line, "tables:") {
				return true
			}
		}
	}
	return false
}

func (s *Server) open(uri, txt string) error {
	p, err := uriToPath(uri)
	if err != nil {
		return err
	}
	s.mu.Lock()
	w := s.workspaceFor(p)
	rel, ok := w.rel(p)
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("%s is outside its schema directory %s", p, w.root)
	}
	s.docs[p] = &document{uri: uri, path: p, text: txt, ws: w, rel: rel}
	s.mu.Unlock()
	w.mu.Lock()
	w.overlay[rel] = txt
	w.mu.Unlock()
	w.schedule()
	return nil
}

func (s *Server) change(p didChangeParams) error {
	path, err := uriToPath(p.TextDocument.URI)
	if err != nil {
		return err
	}
	s.mu.Lock()
	d := s.docs[path]
	s.mu.Unlock()
	if d == nil {
		return fmt.Errorf("didChange for %s, which is not open", p.TextDocument.URI)
	}
	txt := d.text
	for _, c := range p.ContentChanges {
		if c.Range == nil {
			txt = c.Text
			continue
		}
		// Incremental changes are applied too, for clients that send them
		// whatever the server asked for.
		t := newText(txt)
		a, b := t.offset(c.Range.Start), t.offset(c.Range.End)
		if b < a {
			a, b = b, a
		}
		txt = txt[:a] + c.Text + txt[b:]
	}
	s.mu.Lock()
	d.text = txt
	s.mu.Unlock()
	d.ws.mu.Lock()
	d.ws.overlay[d.rel] = txt
	d.ws.mu.Unlock()
	d.ws.schedule()
	return nil
}

func (s *Server) close(uri string) error {
	p, err := uriToPath(uri)
	if err != nil {
		return err
	}
	s.mu.Lock()
	d := s.docs[p]
	delete(s.docs, p)
	s.mu.Unlock()
	if d == nil {
		return nil
	}
	// The file on disk is what counts again.
	d.ws.mu.Lock()
	delete(d.ws.overlay, d.rel)
	d.ws.mu.Unlock()
	d.ws.schedule()
	return nil
}

// positionRequest decodes the parameters of a request at a position in a
// document and finds the document in its workspace's snapshot.
func (s *Server) positionRequest(raw json.RawMessage) (*snapshot, *fileIndex, textDocumentPositionParams, error) {
	p, err := decode[textDocumentPositionParams](raw)
	if err != nil {
		return nil, nil, p, err
	}
	snap, f, err := s.fileAt(p.TextDocument.URI)
	return snap, f, p, err
}

// fileAt returns the current snapshot of the document's workspace and the
// document's index in it.
func (s *Server) fileAt(uri string) (*snapshot, *fileIndex, error) {
	p, err := uriToPath(uri)
	if err != nil {
		return nil, nil, errorf(codeInvalidParams, "%v", err)
	}
	s.mu.Lock()
	d := s.docs[p]
	var w *workspace
	if d != nil {
		w = d.ws
	} else {
		w = s.workspaceFor(p)
	}
	s.mu.Unlock()
	snap := w.current()
	rel, _ := w.rel(p)
	f := snap.files[rel]
	if f == nil {
		// Not a schema file of the load (another extension, or unreadable):
		// index its text alone.
		txt := ""
		if d != nil {
			txt = d.text
		} else if b, err := os.ReadFile(p); err == nil {
			txt = string(b)
		}
		f = indexFile(rel, txt, snap.sch)
	}
	return snap, f, nil
}

// uriFor returns the URI the client used for an open document, or the
// file URI of p.
func (s *Server) uriFor(p string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.docs[p]; d != nil {
		return d.uri
	}
	return pathToURI(p)
}
