package safezip

import (
	"fmt"
	"io"
)

// Read inflates e, which must come from a.Entries, and returns its bytes.
// It is Open followed by io.ReadAll, with the same checks.
func (a *Archive) Read(e *Entry) ([]byte, error) {
	r, err := a.Open(e)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Open returns a reader of e's uncompressed bytes, for callers that stream
// a large part instead of holding it. It rejects an entry that the archive
// already judged unreadable, and any entry whose declared size would take
// the archive past Limits.MaxTotalBytes. The declared size is charged to
// that budget on opening. The reader stops after the declared size plus one
// byte and then fails with ErrInvalid, so a header that understates the
// size cannot make the caller read without bound.
func (a *Archive) Open(e *Entry) (io.ReadCloser, error) {
	if e.rejected != nil {
		return nil, e.rejected
	}
	if e.Size > a.lim.MaxTotalBytes-a.charged {
		if !a.totalHit {
			a.totalHit = true
			a.addAnomaly(AnomalyTotalSizeLimit, e.Name,
				"reading %q would bring the total to %d bytes > limit %d",
				cut(e.Name), a.charged+e.Size, a.lim.MaxTotalBytes)
		}
		return nil, fmt.Errorf("%w: %q would exceed the archive's byte limit",
			ErrRejected, cut(e.Name))
	}

	rc, err := e.file.Open()
	if err != nil {
		return nil, a.fail(e, err)
	}
	a.charged += e.Size
	return &entryReader{a: a, e: e, rc: rc, r: io.LimitReader(rc, e.Size+1)}, nil
}

// fail records that e's data is damaged and returns the error to give the
// caller from now on.
func (a *Archive) fail(e *Entry, err error) error {
	if e.rejected == nil {
		e.rejected = fmt.Errorf("%w: %q: %w", ErrInvalid, cut(e.Name), err)
		a.addAnomaly(AnomalyEntryInvalid, e.Name, "entry %q: %v", cut(e.Name), err)
	}
	return e.rejected
}

// entryReader reads one entry and turns any failure into an anomaly.
type entryReader struct {
	a    *Archive
	e    *Entry
	rc   io.ReadCloser
	r    io.Reader
	read int64
}

func (er *entryReader) Read(p []byte) (int, error) {
	n, err := er.r.Read(p)
	er.read += int64(n)
	if er.read > er.e.Size {
		err = fmt.Errorf("data exceeds the %d bytes its header declares", er.e.Size)
		return 0, er.a.fail(er.e, err)
	}
	if err != nil && err != io.EOF {
		return n, er.a.fail(er.e, err)
	}
	return n, err
}

func (er *entryReader) Close() error {
	return er.rc.Close()
}
