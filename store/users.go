package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// Staff accounts of the review pages and their login sessions.
//
// Passwords are hashed with bcrypt rather than argon2id. bcrypt needs about
// 4 KiB of memory per check, so a burst of logins cannot exhaust memory on
// a small gateway. argon2id is only stronger when each check is given tens
// of MiB. bcrypt's cost is the one parameter to tune.

// Sentinel errors of the account and session methods.
var (
	ErrUserExists     = errors.New("store: user already exists")
	ErrUserNotFound   = errors.New("store: user not found")
	ErrBadPassword    = errors.New("store: wrong user name or password")
	ErrSessionExpired = errors.New("store: session not found or expired")
	ErrInvalidUser    = errors.New("store: invalid user name")
	ErrInvalidPass    = errors.New("store: invalid password")
)

// PasswordCost is the bcrypt cost of new password hashes (2^12 rounds).
// One check took 0.2 s on one core of an AMD EPYC virtual machine
// (bcrypt.CompareHashAndPassword in a go test). That is slow for a
// guesser and quick enough for a person logging in.
// Hashes keep their own cost, so raising it affects only new passwords.
const PasswordCost = 12

// Bounds of account names and passwords.
const (
	// MaxUserBytes is the longest user name. Arbitrary: room for an
	// e-mail address as a login.
	MaxUserBytes = 128
	// MinPasswordBytes is the shortest password accepted: 12 bytes, so a
	// password is not guessable through the rate-limited login form.
	MinPasswordBytes = 12
	// MaxPasswordBytes is bcrypt's input limit: it ignores bytes past 72,
	// so a longer password is refused instead of silently cut.
	MaxPasswordBytes = 72
)

// usersSchema is the migration that adds staff accounts and sessions.
// token_hash is the SHA-256 of a session token, so a copy of the database
// does not hand out live sessions. Deleting a user deletes its sessions.
const usersSchema = `
CREATE TABLE users (
	name          TEXT PRIMARY KEY,
	password_hash BLOB NOT NULL,
	created       INTEGER NOT NULL,
	updated       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE sessions (
	token_hash BLOB PRIMARY KEY,
	user       TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	created    INTEGER NOT NULL,
	expires    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user);
CREATE INDEX sessions_expires ON sessions (expires);
`

// User is one staff account as listed.
type User struct {
	Name    string
	Created time.Time
	Updated time.Time
}

// dummyHash returns a hash of PasswordCost to check when a user does not
// exist, so a login for an unknown name takes as long as one with a wrong
// password. It is made on first use because it costs one bcrypt hash.
var dummyHash = sync.OnceValue(func() []byte {
	hash, _ := bcrypt.GenerateFromPassword([]byte("holdfast-no-such-user"), PasswordCost)
	return hash
})

// ValidUserName reports an error unless name is 1 to MaxUserBytes
// printable characters without spaces.
func ValidUserName(name string) error {
	if name == "" || len(name) > MaxUserBytes {
		return fmt.Errorf("%w: %q: use 1 to %d bytes", ErrInvalidUser, cutUTF8(name, 40), MaxUserBytes)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return fmt.Errorf("%w: %q: use printable characters without spaces", ErrInvalidUser, cutUTF8(name, 40))
		}
	}
	return nil
}

// validPassword bounds the password's length.
func validPassword(password string) error {
	if len(password) < MinPasswordBytes || len(password) > MaxPasswordBytes {
		return fmt.Errorf("%w: it has %d bytes: use %d to %d",
			ErrInvalidPass, len(password), MinPasswordBytes, MaxPasswordBytes)
	}
	return nil
}

// AddUser creates a staff account with a bcrypt hash of password.
func (s *Store) AddUser(ctx context.Context, name, password string, now time.Time) error {
	hash, err := hashPassword(name, password)
	if err != nil {
		return err
	}
	_, err = s.writer.ExecContext(ctx,
		`INSERT INTO users (name, password_hash, created, updated) VALUES (?, ?, ?, ?)`,
		name, hash, now.UnixNano(), now.UnixNano())
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint") {
		return fmt.Errorf("%w: %q", ErrUserExists, name)
	}
	if err != nil {
		return fmt.Errorf("store: add user %q: %w", name, err)
	}
	return nil
}

// SetPassword replaces a user's password and ends all of its sessions.
func (s *Store) SetPassword(ctx context.Context, name, password string, now time.Time) error {
	hash, err := hashPassword(name, password)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE users SET password_hash = ?, updated = ? WHERE name = ?`,
			hash, now.UnixNano(), name)
		if err != nil {
			return fmt.Errorf("store: set password of %q: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %q", ErrUserNotFound, name)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user = ?`, name)
		if err != nil {
			return fmt.Errorf("store: end sessions of %q: %w", name, err)
		}
		return nil
	})
}

// DeleteUser removes a user and, by the foreign key, its sessions.
func (s *Store) DeleteUser(ctx context.Context, name string) error {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM users WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("store: delete user %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %q", ErrUserNotFound, name)
	}
	return nil
}

// Users lists the staff accounts by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT name, created, updated FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var users []User
	for rows.Next() {
		var u User
		var created, updated int64
		if err := rows.Scan(&u.Name, &created, &updated); err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		u.Created = time.Unix(0, created).UTC()
		u.Updated = time.Unix(0, updated).UTC()
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return users, nil
}

// CheckPassword returns nil when password is the user's, and ErrBadPassword
// for a wrong password or an unknown user alike. Both take one bcrypt
// check, so the response time does not tell them apart.
func (s *Store) CheckPassword(ctx context.Context, name, password string) error {
	var hash []byte
	err := s.reader.QueryRowContext(ctx,
		`SELECT password_hash FROM users WHERE name = ?`, name).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return ErrBadPassword
	}
	if err != nil {
		return fmt.Errorf("store: check password of %q: %w", name, err)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return ErrBadPassword
	}
	return nil
}

// CreateSession records a session of user, keyed by the SHA-256 of its
// token, valid until expires. It also deletes the sessions expired by now,
// so the table does not grow with sessions nobody logged out of.
func (s *Store) CreateSession(ctx context.Context, tokenHash []byte, user string, now, expires time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires <= ?`, now.UnixNano())
		if err != nil {
			return fmt.Errorf("store: drop expired sessions: %w", err)
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO sessions (token_hash, user, created, expires) VALUES (?, ?, ?, ?)`,
			tokenHash, user, now.UnixNano(), expires.UnixNano())
		if err != nil {
			return fmt.Errorf("store: create session for %q: %w", user, err)
		}
		return nil
	})
}

// SessionUser returns the user of a live session, or ErrSessionExpired.
func (s *Store) SessionUser(ctx context.Context, tokenHash []byte, now time.Time) (string, error) {
	var user string
	err := s.reader.QueryRowContext(ctx,
		`SELECT user FROM sessions WHERE token_hash = ? AND expires > ?`,
		tokenHash, now.UnixNano()).Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrSessionExpired
	}
	if err != nil {
		return "", fmt.Errorf("store: look up session: %w", err)
	}
	return user, nil
}

// DeleteSession ends a session. Ending an unknown session is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := s.writer.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// hashPassword validates name and password and returns the bcrypt hash.
func hashPassword(name, password string) ([]byte, error) {
	if err := ValidUserName(name); err != nil {
		return nil, err
	}
	if err := validPassword(password); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return nil, fmt.Errorf("store: hash password: %w", err)
	}
	return hash, nil
}

// inTx runs fn in a write transaction and commits when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}
