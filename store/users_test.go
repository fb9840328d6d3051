package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestUsersLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Config{})
	const pass = "correct horse battery"

	if err := s.AddUser(ctx, "alice", pass, base); err != nil {
		t.Fatalf("AddUser(alice): %v", err)
	}
	if err := s.AddUser(ctx, "alice", pass, base); !errors.Is(err, ErrUserExists) {
		t.Errorf("AddUser(alice) again = %v, want ErrUserExists", err)
	}
	if err := s.CheckPassword(ctx, "alice", pass); err != nil {
		t.Errorf("CheckPassword(right) = %v, want nil", err)
	}
	if err := s.CheckPassword(ctx, "alice", "wrong password!"); !errors.Is(err, ErrBadPassword) {
		t.Errorf("CheckPassword(wrong) = %v, want ErrBadPassword", err)
	}
	if err := s.CheckPassword(ctx, "nobody", pass); !errors.Is(err, ErrBadPassword) {
		t.Errorf("CheckPassword(unknown user) = %v, want ErrBadPassword", err)
	}

	users, err := s.Users(ctx)
	if err != nil || len(users) != 1 || users[0].Name != "alice" {
		t.Errorf("Users() = %v, %v, want [alice]", users, err)
	}

	if err := s.DeleteUser(ctx, "alice"); err != nil {
		t.Errorf("DeleteUser(alice): %v", err)
	}
	if err := s.DeleteUser(ctx, "alice"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("DeleteUser(alice) again = %v, want ErrUserNotFound", err)
	}
	if err := s.SetPassword(ctx, "alice", pass, base); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("SetPassword(deleted) = %v, want ErrUserNotFound", err)
	}
}

func TestUsersRejectBadInput(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Config{})
	tests := []struct {
		name, user, pass string
		want             error
	}{
		{"empty name", "", "long enough password", ErrInvalidUser},
		{"space in name", "a b", "long enough password", ErrInvalidUser},
		{"control in name", "a\x00b", "long enough password", ErrInvalidUser},
		{"short password", "bob", "short", ErrInvalidPass},
		{"password past bcrypt limit", "bob", string(make([]byte, 73)), ErrInvalidPass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.AddUser(ctx, tt.user, tt.pass, base); !errors.Is(err, tt.want) {
				t.Errorf("AddUser(%q) = %v, want %v", tt.user, err, tt.want)
			}
		})
	}
}

func TestSessionsExpireAndEnd(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Config{})
	if err := s.AddUser(ctx, "carol", "first password 1", base); err != nil {
		t.Fatal(err)
	}
	token := []byte("0123456789abcdef0123456789abcdef")
	if err := s.CreateSession(ctx, token, "carol", base, base.Add(time.Hour)); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}

	if u, err := s.SessionUser(ctx, token, base.Add(time.Minute)); err != nil || u != "carol" {
		t.Errorf("SessionUser(live) = %q, %v, want carol", u, err)
	}
	if _, err := s.SessionUser(ctx, token, base.Add(time.Hour)); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("SessionUser(at expiry) = %v, want ErrSessionExpired", err)
	}

	// A password change ends the sessions opened with the old one.
	if err := s.SetPassword(ctx, "carol", "second password 2", base); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser(ctx, token, base); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("SessionUser(after password change) = %v, want ErrSessionExpired", err)
	}

	// Deleting a user deletes its sessions with it.
	if err := s.CreateSession(ctx, token, "carol", base, base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, "carol"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser(ctx, token, base); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("SessionUser(after user deleted) = %v, want ErrSessionExpired", err)
	}

	if err := s.DeleteSession(ctx, token); err != nil {
		t.Errorf("DeleteSession(unknown) = %v, want nil", err)
	}
}
