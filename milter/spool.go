package milter

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// spool collects one message's Raw bytes: on the heap up to memMax bytes,
// then in a temporary file, and never more than max bytes. Bytes past max
// are counted and dropped.
type spool struct {
	dir    string
	memMax int64
	max    int64

	buf    []byte
	file   *os.File
	stored int64 // bytes kept, in buf or file
	total  int64 // bytes offered, kept or not
	err    error // first write failure; later writes are dropped

	mapped []byte
}

func newSpool(cfg Config) *spool {
	return &spool{dir: cfg.SpoolDir, memMax: cfg.SpoolMemoryBytes, max: cfg.MaxMessageBytes}
}

// Write keeps what fits under the size cap and counts the rest. It returns
// no error, so the session keeps reading from the MTA. A storage failure is
// kept in s.err and reported by Bytes.
func (s *spool) Write(p []byte) {
	s.total += int64(len(p))
	if room := s.max - s.stored; int64(len(p)) > room {
		p = p[:max(room, 0)]
	}
	if len(p) == 0 || s.err != nil {
		return
	}

	if s.file == nil && s.stored+int64(len(p)) > s.memMax {
		s.spill()
	}
	if s.file == nil {
		s.buf = append(s.buf, p...)
		s.stored += int64(len(p))
		return
	}
	n, err := s.file.Write(p)
	s.stored += int64(n)
	if err != nil {
		s.err = fmt.Errorf("milter: write spool file: %w", err)
	}
}

// WriteString is Write for a string.
func (s *spool) WriteString(str string) {
	s.Write([]byte(str))
}

// spill moves the in-memory part to a new temporary file. The file is
// unlinked at once: go-milter reports no disconnect, so a session dropped
// mid-message never reaches Close, and an unlinked file leaves nothing on
// disk. Its descriptor is then closed when the os.File is garbage collected.
func (s *spool) spill() {
	f, err := os.CreateTemp(s.dir, "holdfast-spool-*")
	if err != nil {
		s.err = fmt.Errorf("milter: create spool file: %w", err)
		return
	}
	s.file = f
	if err := os.Remove(f.Name()); err != nil {
		s.err = fmt.Errorf("milter: unlink spool file: %w", err)
		return
	}
	if _, err := f.Write(s.buf); err != nil {
		s.err = fmt.Errorf("milter: write spool file: %w", err)
	}
	s.buf = nil
}

// Truncated reports whether bytes were dropped at the size cap.
func (s *spool) Truncated() bool {
	return s.total > s.stored
}

// Spilled reports whether the message went to a file.
func (s *spool) Spilled() bool {
	return s.file != nil
}

// Bytes returns the stored message. A spilled message is mapped read-only
// from its file, so it does not sit on the heap. The slice is valid until
// Close.
func (s *spool) Bytes() ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.file == nil {
		return s.buf, nil
	}
	if s.stored == 0 {
		return nil, nil
	}
	if s.mapped == nil {
		m, err := syscall.Mmap(int(s.file.Fd()), 0, int(s.stored), syscall.PROT_READ, syscall.MAP_SHARED)
		if err != nil {
			return nil, fmt.Errorf("milter: map spool file %s: %w", s.file.Name(), err)
		}
		s.mapped = m
	}
	return s.mapped, nil
}

// Close unmaps and closes the spool file, if any. After Close, slices
// returned by Bytes must not be used.
func (s *spool) Close() error {
	var errs []error
	if s.mapped != nil {
		if err := syscall.Munmap(s.mapped); err != nil {
			errs = append(errs, fmt.Errorf("milter: unmap spool file: %w", err))
		}
		s.mapped = nil
	}
	if s.file != nil {
		if err := s.file.Close(); err != nil {
			errs = append(errs, fmt.Errorf("milter: close spool file: %w", err))
		}
		s.file = nil
	}
	s.buf = nil
	return errors.Join(errs...)
}
