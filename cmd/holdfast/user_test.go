package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestUserCommand(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "holdfast.db")
	cfg := writeConfig(t, fmt.Sprintf("[store]\ndsn = %q\n", dsn))
	run := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := runUser(args, strings.NewReader(stdin), &out)
		return out.String(), err
	}

	if _, err := run("a long password 1\n", "add", "--config", cfg, "--password-stdin", "alice"); err != nil {
		t.Fatalf("user add: %v", err)
	}
	if _, err := run("a long password 1\n", "add", "--config", cfg, "alice", "--password-stdin"); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Errorf("user add twice = %v, want an already-exists error", err)
	}
	out, err := run("", "list", "--config", cfg)
	if err != nil || !strings.Contains(out, "alice") {
		t.Errorf("user list = %q, %v, want alice listed", out, err)
	}
	if _, err := run("a new password 22\n", "passwd", "--config", cfg, "--password-stdin", "alice"); err != nil {
		t.Errorf("user passwd: %v", err)
	}
	if _, err := run("", "delete", "--config", cfg, "alice"); err != nil {
		t.Errorf("user delete: %v", err)
	}
	out, err = run("", "list", "--config", cfg)
	if err != nil || strings.Contains(out, "alice") {
		t.Errorf("user list after delete = %q, %v, want alice gone", out, err)
	}
}

func TestUserCommandErrors(t *testing.T) {
	cfg := writeConfig(t, fmt.Sprintf("[store]\ndsn = %q\n", filepath.Join(t.TempDir(), "h.db")))
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string
	}{
		{"no config", "", []string{"list"}, "--config"},
		{"unknown verb", "", []string{"rename", "--config", cfg, "x"}, `unknown subcommand "rename"`},
		{"missing name", "", []string{"delete", "--config", cfg}, "takes 1 user name"},
		{"short password", "short\n", []string{"add", "--config", cfg, "--password-stdin", "bob"}, "invalid password"},
		{"empty stdin", "", []string{"add", "--config", cfg, "--password-stdin", "bob"}, "no password"},
		{"bad name", "a long password 1\n", []string{"add", "--config", cfg, "--password-stdin", "a b"},
			"invalid user name"},
		{"unknown user", "", []string{"delete", "--config", cfg, "nobody"}, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runUser(tt.args, strings.NewReader(tt.stdin), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("runUser(%q) = %v, want error containing %q", tt.args, err, tt.wantErr)
			}
		})
	}
}
