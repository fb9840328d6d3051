package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

func TestBlocklistCommand(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "holdfast.db")
	cfg := writeConfig(t, fmt.Sprintf("[store]\ndsn = %q\n[dns]\nservers = [\"127.0.0.1:1\"]\n"+
		"[quarantine]\nrelease_method = \"smtp\"\nsmtp_relay = \"127.0.0.1:1\"\n", dsn))

	// Fill the blocklist as a mark-phish from the review pages would.
	st, err := store.Open(ctx, store.Config{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.Quarantine().Put(ctx, &quarantine.Entry{QueueID: "4B1L2S3T", Status: quarantine.Held},
		[]byte("Subject: x\r\n\r\nx\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Block(ctx, []string{"evil.test"}, "attacker@gmail.com", "alice", id); err != nil {
		t.Fatal(err)
	}
	st.Close()

	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := runBlocklist(args, &out)
		return out.String(), err
	}

	out, err := run("list", "--config", cfg)
	if err != nil {
		t.Fatalf("blocklist list: %v", err)
	}
	for _, want := range []string{"evil.test", "attacker@gmail.com", "alice", fmt.Sprint(id)} {
		if !strings.Contains(out, want) {
			t.Errorf("blocklist list output lacks %q:\n%s", want, out)
		}
	}

	if _, err := run("remove", "domain", "Evil.test", "--config", cfg); err != nil {
		t.Fatalf("blocklist remove: %v", err)
	}
	out, err = run("list", "--config", cfg, "--json")
	if err != nil {
		t.Fatalf("blocklist list --json: %v", err)
	}
	var listed struct{ Blocklist []store.Block }
	if err := json.Unmarshal([]byte(out), &listed); err != nil {
		t.Fatalf("blocklist list --json output %q: %v", out, err)
	}
	if len(listed.Blocklist) != 1 || listed.Blocklist[0].Value != "attacker@gmail.com" {
		t.Errorf("blocklist after remove = %+v, want only the sender", listed.Blocklist)
	}

	if _, err := run("remove", "--config", cfg, "domain", "evil.test"); !errors.Is(err, quarantine.ErrNotBlocked) {
		t.Errorf("blocklist remove twice error = %v, want ErrNotBlocked", err)
	}
	if _, err := run("remove", "--config", cfg, "domain"); err == nil {
		t.Error("blocklist remove without VALUE succeeded")
	}
	if _, err := run("remove", "--config", cfg, "ip", "192.0.2.1"); err == nil {
		t.Error("blocklist remove of kind ip succeeded")
	}

	// The removal is in the audit trail of the entry that caused it.
	st, err = store.Open(ctx, store.Config{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	audit, err := st.Quarantine().Audit(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	last := audit[len(audit)-1]
	if last.Name != "unblock" || !strings.HasPrefix(last.Actor, "cli:") {
		t.Errorf("last audit record = %+v, want unblock by cli:USER", last)
	}
}
