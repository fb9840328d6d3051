package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"
)

// source describes where a message was read.
type source struct {
	// sent is true when the file sits in a folder named as sent mail.
	sent bool
	// modTime is the file's modification time: the delivery time of a
	// Maildir message, the last write of an mbox.
	modTime time.Time
}

// sentFolderNames lists, in lower case, common English, German, French
// and Chinese names of the folder of sent mail. A Maildir++ folder ".Sent"
// or ".INBOX.Sent" and an mbox file "Sent.mbox" match "sent".
var sentFolderNames = map[string]bool{
	"sent": true, "sent items": true, "sent messages": true, "sent mail": true, "sent-mail": true,
	"gesendet": true, "gesendete elemente": true, "gesendete objekte": true,
	"envoyés": true, "éléments envoyés": true,
	"已发送": true,
}

// junkFolderNames lists, in lower case, the names of junk and spam
// folders. Learning their mail would make spammers known correspondents.
var junkFolderNames = map[string]bool{
	"junk": true, "junk e-mail": true, "junk email": true, "spam": true, "bulk mail": true,
	"spamverdacht": true, "courrier indésirable": true,
	"垃圾邮件": true,
}

// path imports a file (an mbox or one message) or a folder tree. In a
// tree it reads every Maildir (a folder with cur and new) including the
// Maildir++ subfolders such as ".Sent", and every other regular file as
// an mbox or one message. It skips the tmp folder and the index files of
// a Maildir, and junk and spam folders below root.
func (l *learner) path(root string) error {
	root = filepath.Clean(root)
	st, err := os.Stat(root)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return l.file(root, inSentFolder(root, root))
	}

	maildirs := map[string]bool{}
	return filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			return l.enterFolder(root, p, maildirs)
		}
		if !e.Type().IsRegular() || maildirs[filepath.Dir(p)] {
			return nil
		}
		return l.file(p, inSentFolder(root, p))
	})
}

// enterFolder decides whether the walk enters folder p, and records p in
// maildirs when it is a Maildir, whose own files are then not messages.
func (l *learner) enterFolder(root, p string, maildirs map[string]bool) error {
	name := filepath.Base(p)
	if p != root && hasFolderName(name, junkFolderNames) {
		l.stats.JunkFolders++
		return filepath.SkipDir
	}
	// tmp holds messages still being delivered.
	if maildirs[filepath.Dir(p)] && name == "tmp" {
		return filepath.SkipDir
	}
	if isMaildir(p) {
		maildirs[p] = true
	}
	return nil
}

// isMaildir reports whether dir has the cur and new folders of a Maildir.
func isMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// inSentFolder reports whether p, or a folder between root and p, is named
// as a sent-mail folder. The name of root itself counts, so that
// `learn ~/Maildir/.Sent` reads sent mail, but the folders above it do not.
func inSentFolder(root, p string) bool {
	rel, err := filepath.Rel(filepath.Dir(root), p)
	if err != nil {
		return false
	}
	for _, name := range strings.Split(rel, string(filepath.Separator)) {
		if hasFolderName(name, sentFolderNames) {
			return true
		}
	}
	return false
}

// hasFolderName reports whether a path component names a folder of the
// set. The component is compared case-insensitively in Unicode NFC, which
// also matches names that macOS stores decomposed. A Maildir++ component
// ".INBOX.Sent" is split into the folders "INBOX" and "Sent", each
// decoded from IMAP's modified UTF-7 (RFC 3501 §5.1.3), which Dovecot
// uses for folder names on disk. An ".mbox" suffix is dropped.
func hasFolderName(component string, set map[string]bool) bool {
	names := []string{strings.TrimSuffix(component, ".mbox")}
	if rest, ok := strings.CutPrefix(component, "."); ok {
		names = strings.Split(rest, ".")
	}
	for _, name := range names {
		name = strings.ToLower(norm.NFC.String(decodeModifiedUTF7(name)))
		if set[name] {
			return true
		}
	}
	return false
}

// decodeModifiedUTF7 decodes a folder name in IMAP's modified UTF-7: "&-"
// is "&", and "&...-" encloses UTF-16 in base64 with "," for "/". A name
// that is not valid modified UTF-7 is returned unchanged.
func decodeModifiedUTF7(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var out strings.Builder
	for rest := s; rest != ""; {
		before, after, found := strings.Cut(rest, "&")
		out.WriteString(before)
		if !found {
			break
		}
		encoded, tail, closed := strings.Cut(after, "-")
		if !closed {
			return s
		}
		if encoded == "" {
			out.WriteByte('&')
		} else {
			raw, err := base64.RawStdEncoding.DecodeString(strings.ReplaceAll(encoded, ",", "/"))
			if err != nil || len(raw)%2 != 0 {
				return s
			}
			units := make([]uint16, len(raw)/2)
			for i := range units {
				units[i] = binary.BigEndian.Uint16(raw[2*i:])
			}
			out.WriteString(string(utf16.Decode(units)))
		}
		rest = tail
	}
	return out.String()
}

// maxLeadingBytes bounds the blank lines and byte order mark skipped at
// the start of a file. Arbitrary: chosen so that a few stray blank lines
// are skipped while the peek stays within bufio's 64 KiB buffer.
const maxLeadingBytes = 4 << 10

// file imports an mbox file (its first line starts with "From ") or one
// message. A UTF-8 byte order mark and blank lines before the first line
// are skipped.
func (l *learner) file(name string, sent bool) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	l.stats.Files++
	src := source{sent: sent, modTime: st.ModTime()}

	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(maxLeadingBytes)
	skip := leadingBytes(head)
	if _, err := br.Discard(skip); err != nil {
		return err
	}
	if bytes.HasPrefix(head[skip:], []byte("From ")) {
		return splitMbox(br, l.p.cfg.Milter.MaxMessageBytes, func(raw []byte) { l.message(raw, src) })
	}
	raw, err := io.ReadAll(io.LimitReader(br, l.p.cfg.Milter.MaxMessageBytes))
	if err != nil {
		return err
	}
	l.message(raw, src)
	return nil
}

// leadingBytes returns the length of the UTF-8 byte order mark and the
// white space at the start of head.
func leadingBytes(head []byte) int {
	rest := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	rest = bytes.TrimLeft(rest, " \t\r\n")
	return len(head) - len(rest)
}

// splitMbox calls fn with each message of an mbox stream. A line starting
// "From " opens a message; the mboxrd quoting of body lines (">From ") is
// undone. A message over max bytes is cut there.
func splitMbox(r *bufio.Reader, max int64, fn func([]byte)) error {
	var msg bytes.Buffer
	started := false
	flush := func() {
		if started {
			fn(bytes.Clone(msg.Bytes()))
		}
		msg.Reset()
	}
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			switch {
			case bytes.HasPrefix(line, []byte("From ")):
				flush()
				started = true
			case int64(msg.Len()+len(line)) <= max:
				msg.Write(unquoteFrom(line))
			}
		}
		if errors.Is(err, io.EOF) {
			flush()
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// unquoteFrom removes one ">" from a line of the form ">>From ".
func unquoteFrom(line []byte) []byte {
	trimmed := bytes.TrimLeft(line, ">")
	if len(trimmed) < len(line) && bytes.HasPrefix(trimmed, []byte("From ")) {
		return line[1:]
	}
	return line
}
