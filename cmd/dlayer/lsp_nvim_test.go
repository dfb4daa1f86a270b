package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer/internal/testdb"
)

// nvimScript runs in `nvim --headless` with Neovim's built-in LSP client
// (vim.lsp.start_client and buf_attach_client: Debian 12 ships Neovim
// 0.7.2, which predates vim.lsp.start). It opens blog.yaml of a copy of
// examples/blog/models, plants an unknown relationship target, asks for
// completion in a half-typed target:, jumps to a definition in another
// file, and writes what it saw as JSON to $DLAYER_NVIM_OUT.
const nvimScript = `
local out = {}
local function finish()
  local f = io.open(vim.env.DLAYER_NVIM_OUT, 'w')
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd('qa!')
end
local ok, err = pcall(function()
  vim.o.hidden = true
  local dir = vim.env.DLAYER_NVIM_DIR
  vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/blog.yaml'))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'dlayer',
    cmd = { vim.env.DLAYER_NVIM_EXE, 'lsp' },
    cmd_env = { DLAYER_TEST_RUN_MAIN = '1' },
    root_dir = dir,
  })
  vim.lsp.buf_attach_client(buf, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  out.initialized = vim.wait(20000, function() return client.initialized end, 50)

  -- 1. A semantic diagnostic: plant an unknown relationship target.
  local line = 21 -- 1-based: "      author: {target: User, back_populates: posts}"
  local original = vim.api.nvim_buf_get_lines(buf, line - 1, line, true)[1]
  vim.api.nvim_buf_set_lines(buf, line - 1, line, true, { (original:gsub('target: User', 'target: Usr')) })
  out.diagnosed = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
    table.insert(out.diagnostics, { lnum = d.lnum, col = d.col, message = d.message, code = code })
  end

  -- 2. Completion of model names in a half-typed target: (broken YAML).
  vim.api.nvim_buf_set_lines(buf, line - 1, line, true, { '      author: {target: ' })
  local res = client.request_sync('textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line - 1, character = #'      author: {target: ' },
  }, 20000, buf)
  out.completion = {}
  if res and res.result then
    for _, item in ipairs(res.result.items or res.result) do table.insert(out.completion, item.label) end
  end

  -- 3. Go to definition across files: "Tag" in Post.tags is defined in tags.yaml.
  vim.api.nvim_buf_set_lines(buf, line - 1, line, true, { original })
  out.cleared = vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 50)
  vim.api.nvim_win_set_cursor(0, { 22, 24 }) -- "      tags:   {target: Tag, ..."
  vim.lsp.buf.definition()
  out.jumped = vim.wait(20000, function() return vim.api.nvim_buf_get_name(0):match('tags%.yaml$') ~= nil end, 50)
  out.definition = { file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ':t'), line = vim.api.nvim_win_get_cursor(0)[1] }

  client.stop()
end)
if not ok then out.error = tostring(err) end
finish()
`

// TestLSPNeovim checks dlayer lsp with a real editor: Neovim's built-in
// LSP client, headless.
func TestLSPNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		testdb.Unavailable(t, "NEOVIM", "nvim is not installed (scripts/editor.sh install)")
	}
	dir := copySchemaDir(t, blog)
	work := t.TempDir()
	script := filepath.Join(work, "lsp.lua")
	result := filepath.Join(work, "result.json")
	if err := os.WriteFile(script, []byte(nvimScript), 0o644); err != nil {
		t.Fatal(err)
	}
	exe, _, _ := dlayerCommand(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-n", "-c", "luafile "+script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "DLAYER_NVIM_EXE="+exe, "DLAYER_NVIM_DIR="+dir, "DLAYER_NVIM_OUT="+result, "HOME="+work, "XDG_STATE_HOME="+work, "XDG_DATA_HOME="+work)
	combined, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("nvim: %v\n%s", err, combined)
	}
	raw, err := os.ReadFile(result)
	if err != nil {
		t.Fatalf("nvim wrote no result: %v\n%s", err, combined)
	}
	var got struct {
		Error       string `json:"error"`
		Initialized bool   `json:"initialized"`
		Diagnosed   bool   `json:"diagnosed"`
		Diagnostics []struct {
			Lnum, Col     int
			Message, Code string
		} `json:"diagnostics"`
		Completion []string `json:"completion"`
		Cleared    bool     `json:"cleared"`
		Jumped     bool     `json:"jumped"`
		Definition struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"definition"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("result %s: %v", raw, err)
	}
	if got.Error != "" {
		t.Fatalf("nvim script failed: %s\n%s", got.Error, combined)
	}
	if !got.Initialized {
		t.Fatalf("the client never initialized with dlayer lsp\n%s", combined)
	}
	// blog.yaml line 21 (1-based), column of "Usr": the unknown-model
	// diagnostic (User.posts's back_populates then fails too).
	i := slices.IndexFunc(got.Diagnostics, func(d struct {
		Lnum, Col     int
		Message, Code string
	}) bool {
		return d.Code == "unknown-model"
	})
	if !got.Diagnosed || i < 0 || got.Diagnostics[i].Lnum != 20 || got.Diagnostics[i].Col != 23 ||
		!strings.Contains(got.Diagnostics[i].Message, `unknown model "Usr"`) || !strings.Contains(got.Diagnostics[i].Message, `did you mean "User"?`) {
		t.Errorf("diagnostics = %+v, want unknown-model at line 20 (0-based), column 23", got.Diagnostics)
	}
	for _, m := range []string{"Post", "Tag", "User"} {
		if !slices.Contains(got.Completion, m) {
			t.Errorf("completion in target: = %v, lacks %s", got.Completion, m)
		}
	}
	if !got.Cleared {
		t.Errorf("diagnostics were not cleared after the fix")
	}
	if !got.Jumped || got.Definition.File != "tags.yaml" || got.Definition.Line != 5 {
		t.Errorf("definition jumped to %+v, want tags.yaml line 5 (model Tag)", got.Definition)
	}
}
