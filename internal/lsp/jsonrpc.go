package lsp

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
)

// maxMessage caps one JSON-RPC message body (a whole-document didChange of
// a schema file at the loader's 4 MiB cap, JSON-escaped, fits).
const maxMessage = 64 << 20

// JSON-RPC 2.0 error codes used by the server.
const (
	codeParseError           = -32700
	codeInvalidRequest       = -32600
	codeMethodNotFound       = -32601
	codeInvalidParams        = -32602
	codeInternalError        = -32603
	codeServerNotInitialized = -32002
	codeRequestFailed        = -32803
)

// message is one JSON-RPC 2.0 message: a request (ID and Method), a
// notification (Method only) or a response (ID with Result or Error).
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// rpcError is a JSON-RPC error object; it is also the error a handler
// returns to choose the code sent to the client.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

func errorf(code int, format string, args ...any) *rpcError {
	return &rpcError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// conn reads and writes Content-Length framed JSON-RPC messages (the LSP
// base protocol). Writes are serialised; reads happen on one goroutine.
type conn struct {
	r  *bufio.Reader
	mu sync.Mutex
	w  io.Writer
}

func newConn(r io.Reader, w io.Writer) *conn {
	return &conn{r: bufio.NewReader(r), w: w}
}

// errFraming reports a message whose header is unusable: the stream cannot
// be resynchronised, so the server stops.
var errFraming = errors.New("lsp: bad message header")

// read returns the body of the next message. io.EOF means the client
// closed the stream between messages.
func (c *conn) read() ([]byte, error) {
	tp := textproto.NewReader(c.r)
	hdr, err := tp.ReadMIMEHeader()
	if err != nil {
		if errors.Is(err, io.EOF) && len(hdr) == 0 {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%w: %v", errFraming, err)
	}
	cl := hdr.Get("Content-Length")
	n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: Content-Length %q", errFraming, cl)
	}
	if n > maxMessage {
		return nil, fmt.Errorf("%w: message of %d bytes is larger than the %d-byte cap", errFraming, n, maxMessage)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.r, body); err != nil {
		return nil, fmt.Errorf("lsp: read message body: %w", err)
	}
	return body, nil
}

// write sends one message.
func (c *conn) write(m *message) error {
	m.JSONRPC = "2.0"
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("lsp: encode message: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n", len(body)); err != nil {
		return err
	}
	_, err = c.w.Write(body)
	return err
}

// notify sends a notification.
func (c *conn) notify(method string, params any) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("lsp: encode %s: %w", method, err)
	}
	return c.write(&message{Method: method, Params: raw})
}

// reply answers the request with the given id.
func (c *conn) reply(id json.RawMessage, result any, err error) error {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	if err != nil {
		var re *rpcError
		if !errors.As(err, &re) {
			re = &rpcError{Code: codeInternalError, Message: err.Error()}
		}
		return c.write(&message{ID: id, Error: re})
	}
	raw, merr := json.Marshal(result)
	if merr != nil {
		return c.write(&message{ID: id, Error: &rpcError{Code: codeInternalError, Message: merr.Error()}})
	}
	return c.write(&message{ID: id, Result: raw})
}
