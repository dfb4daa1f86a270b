package urlopt

import "testing"

func TestCut(t *testing.T) {
	tests := []struct {
		name, in, key, rest, value string
		found                      bool
	}{
		{name: "no query", in: "postgres://h/db", key: "pooler", rest: "postgres://h/db"},
		{name: "only", in: "postgres://h/db?pooler=transaction", key: "pooler", rest: "postgres://h/db", value: "transaction", found: true},
		{name: "first", in: "postgres://h/db?pooler=transaction&sslmode=disable", key: "pooler",
			rest: "postgres://h/db?sslmode=disable", value: "transaction", found: true},
		{name: "last wins, all removed", in: "p://h/d?a=1&pooler=x&b=2&pooler=y", key: "pooler",
			rest: "p://h/d?a=1&b=2", value: "y", found: true},
		{name: "encoded key and value", in: "p://h/d?poo%6Cer=trans%61ction", key: "pooler", rest: "p://h/d", value: "transaction", found: true},
		{name: "no value", in: "p://h/d?pooler", key: "pooler", rest: "p://h/d", found: true},
		{name: "prefix is not the key", in: "p://h/d?poolers=1", key: "pooler", rest: "p://h/d?poolers=1"},
		{name: "password kept byte for byte", in: "p://u:p%40ss@h/d?pooler=transaction&x=%2F", key: "pooler",
			rest: "p://u:p%40ss@h/d?x=%2F", value: "transaction", found: true},
		{name: "bad escape kept raw", in: "p://h/d?pooler=%zz", key: "pooler", rest: "p://h/d", value: "%zz", found: true},
		{name: "fragment", in: "p://h/d?pooler=t#frag", key: "pooler", rest: "p://h/d#frag", value: "t", found: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest, value, found := Cut(tt.in, tt.key)
			if rest != tt.rest || value != tt.value || found != tt.found {
				t.Fatalf("Cut(%q, %q) = %q, %q, %v; want %q, %q, %v", tt.in, tt.key, rest, value, found, tt.rest, tt.value, tt.found)
			}
		})
	}
	if _, _, err := Choice("p://h/d?migrate_lock=rows", MigrateLock, MigrateLockModes...); err == nil {
		t.Error("Choice accepted a value not allowed")
	}
	if rest, v, err := Choice("p://h/d?migrate_lock=table", MigrateLock, MigrateLockModes...); err != nil || v != "table" || rest != "p://h/d" {
		t.Errorf("Choice = %q %q %v", rest, v, err)
	}
}

func FuzzCut(f *testing.F) {
	f.Add("postgres://u:p@h/db?pooler=transaction&a=b#f", "pooler")
	f.Fuzz(func(t *testing.T, in, key string) {
		rest, _, found := Cut(in, key)
		if !found && rest != in {
			t.Fatalf("not found but URL changed: %q -> %q", in, rest)
		}
		if len(rest) > len(in) {
			t.Fatalf("URL grew: %q -> %q", in, rest)
		}
	})
}
