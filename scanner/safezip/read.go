package safezip

import (
	"fmt"
	"io"
)

// Read inflates e, which must come from a.Entries, and returns its bytes.
// It rejects an entry that Open already judged unreadable, and any entry
// whose declared size would take the archive past Limits.MaxTotalBytes. It
// reads at most the declared size plus one byte, so a header that
// understates the size yields ErrInvalid rather than unbounded memory.
func (a *Archive) Read(e *Entry) ([]byte, error) {
	if e.rejected != nil {
		return nil, e.rejected
	}
	if e.Size > a.lim.MaxTotalBytes-a.readBytes {
		if !a.totalHit {
			a.totalHit = true
			a.addAnomaly(AnomalyTotalSizeLimit, e.Name,
				"reading %q would bring the total to %d bytes > limit %d",
				cut(e.Name), a.readBytes+e.Size, a.lim.MaxTotalBytes)
		}
		return nil, fmt.Errorf("%w: %q would exceed the archive's byte limit", ErrRejected, cut(e.Name))
	}

	data, err := a.inflate(e)
	a.readBytes += int64(len(data))
	if err != nil {
		e.rejected = fmt.Errorf("%w: %q: %w", ErrInvalid, cut(e.Name), err)
		a.addAnomaly(AnomalyEntryInvalid, e.Name, "entry %q: %v", cut(e.Name), err)
		return nil, e.rejected
	}
	return data, nil
}

func (a *Archive) inflate(e *Entry) ([]byte, error) {
	rc, err := e.file.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()

	data, err := io.ReadAll(io.LimitReader(rc, e.Size+1))
	if err != nil {
		return data, err
	}
	if int64(len(data)) > e.Size {
		return data, fmt.Errorf("holds more than the %d bytes its header declares", e.Size)
	}
	return data, nil
}
