// Package safezip reads zip archives held in memory without trusting them.
// It serves both the office-document walker and archive scanning.
//
// Open lists the entries and records, as Anomalies, what an analyst needs
// to know before touching any of them. That is data prepended to the
// archive (polyglots such as a PDF that is also a zip), duplicate and unsafe
// entry names, encrypted entries, and entries whose declared size or
// compression ratio exceeds the Limits. Read inflates one entry into memory. It checks
// the declared size before inflating and reads through an io.LimitReader
// anyway, because the header can lie.
//
// The package never writes to disk, so an entry named "../../x" is only
// reported. It never logs. Open fails only when the bytes hold no readable
// zip directory. Read returns an error wrapping one of the sentinels below
// when it rejects or fails an entry, and the Archive records the reason as
// an Anomaly once.
//
// Config keys: none directly. The caller maps its own settings onto Limits.
//
// Limitations: multi-disk archives and encrypted entries are not read. The
// only compression methods read are store and deflate, which are the ones
// archive/zip registers.
package safezip

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors returned (wrapped) by Open and Read.
var (
	// ErrNotZip: the data holds no readable zip central directory.
	ErrNotZip = errors.New("safezip: not a zip archive")
	// ErrRejected: the entry is encrypted, uses an unknown method, or
	// exceeds a limit, and was not inflated.
	ErrRejected = errors.New("safezip: entry rejected")
	// ErrInvalid: the entry's data is damaged.
	ErrInvalid = errors.New("safezip: invalid entry data")
)

// Archive is an opened zip archive and what Open and Read noticed about it.
type Archive struct {
	// Entries lists the entries in central-directory order, at most
	// Limits.MaxEntries of them.
	Entries []*Entry
	// Prepended is the number of bytes before the archive, 0 when none.
	Prepended int64
	// Trailing is the number of bytes after the archive's end record and
	// comment, 0 when none.
	Trailing int64
	// Anomalies lists every fault tolerated and every limit reached, in the
	// order found.
	Anomalies []Anomaly

	lim      Limits
	charged  int64
	totalHit bool
}

// Entry is one central-directory entry.
type Entry struct {
	// Name is the entry name exactly as stored.
	Name string
	// Size is the declared uncompressed size in bytes.
	Size int64
	// CompressedSize is the declared compressed size in bytes.
	CompressedSize int64
	// Dir reports whether the name ends in a slash.
	Dir bool
	// Encrypted reports whether the entry's encryption flag is set.
	Encrypted bool
	// Duplicate reports whether an earlier entry has the same name, ignoring
	// ASCII case.
	Duplicate bool
	// Unsafe is the reason extracting the entry by name would be unsafe, ""
	// when the name is safe.
	Unsafe string

	file     *zip.File
	rejected error
}

// Open lists the archive in data. It returns an error wrapping ErrNotZip,
// together with a nil Archive, only when no central directory can be read.
func Open(data []byte, lim Limits) (*Archive, error) {
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if errors.Is(err, zip.ErrInsecurePath) {
		// The reader is complete: Go only warns about non-local names when
		// GODEBUG=zipinsecurepath=0, and this package checks names itself.
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotZip, err)
	}

	a := &Archive{lim: lim.resolve()}
	if l, ok := findLayout(data); ok {
		a.Prepended, a.Trailing = l.prepended, l.trailing
	}
	a.checkLayout(data)
	a.listEntries(r.File)
	return a, nil
}

func (a *Archive) checkLayout(data []byte) {
	if a.Prepended > 0 {
		head := string(data[:min(prependedQuoted, a.Prepended)])
		a.addAnomaly(AnomalyPrependedData, "",
			"%d bytes precede the archive, starting %q", a.Prepended, head)
	}
	if a.Trailing > 0 {
		a.addAnomaly(AnomalyTrailingData, "",
			"%d bytes follow the end of the archive", a.Trailing)
	}
}

// listEntries builds Entries and records what each header shows before any
// data is inflated.
func (a *Archive) listEntries(files []*zip.File) {
	if len(files) > a.lim.MaxEntries {
		a.addAnomaly(AnomalyEntryLimit, "",
			"%d entries > limit %d, the rest are ignored", len(files), a.lim.MaxEntries)
		files = files[:a.lim.MaxEntries]
	}

	seen := make(map[string]int, len(files))
	var declared int64
	for i, f := range files {
		e := &Entry{
			Name:           f.Name,
			Size:           clampSize(f.UncompressedSize64),
			CompressedSize: clampSize(f.CompressedSize64),
			Dir:            strings.HasSuffix(f.Name, "/"),
			Encrypted:      f.Flags&0x1 != 0,
			Unsafe:         unsafeReason(f.Name),
			file:           f,
		}
		a.Entries = append(a.Entries, e)

		key := strings.ToLower(f.Name)
		if first, dup := seen[key]; dup {
			e.Duplicate = true
			a.addAnomaly(AnomalyDuplicateEntry, f.Name,
				"entry %d repeats the name of entry %d %q", i+1, first+1, cut(files[first].Name))
		} else {
			seen[key] = i
		}
		if e.Unsafe != "" {
			a.addAnomaly(AnomalyUnsafeName, f.Name, "entry name %q: %s", cut(f.Name), e.Unsafe)
		}
		a.checkEntry(e, f.Method)
		declared += e.Size
	}

	if declared > a.lim.MaxTotalBytes {
		a.totalHit = true
		a.addAnomaly(AnomalyTotalSizeLimit, "",
			"declared uncompressed total %d bytes > limit %d", declared, a.lim.MaxTotalBytes)
	}
}

// checkEntry decides from the header alone whether e may be inflated, and
// records the reason when it may not.
func (a *Archive) checkEntry(e *Entry, method uint16) {
	name := e.Name
	switch {
	case e.Encrypted:
		e.rejected = fmt.Errorf("%w: %q is encrypted", ErrRejected, cut(name))
		a.addAnomaly(AnomalyEncrypted, name, "entry %q is encrypted", cut(name))
	case method != zip.Store && method != zip.Deflate:
		e.rejected = fmt.Errorf("%w: %q uses compression method %d", ErrRejected, cut(name), method)
		a.addAnomaly(AnomalyUnsupportedMethod, name,
			"entry %q uses compression method %d", cut(name), method)
	case e.Size > a.lim.MaxEntryBytes:
		e.rejected = fmt.Errorf("%w: %q declares %d bytes > limit %d",
			ErrRejected, cut(name), e.Size, a.lim.MaxEntryBytes)
		a.addAnomaly(AnomalyEntrySizeLimit, name, "entry %q declares %d bytes > limit %d",
			cut(name), e.Size, a.lim.MaxEntryBytes)
	}

	// The ratio is reported even for an entry already rejected, because a
	// bomb is worth naming as such.
	if e.Size >= ratioMinBytes {
		ratio := e.Size / max(e.CompressedSize, 1)
		if ratio > int64(a.lim.MaxRatio) {
			if e.rejected == nil {
				e.rejected = fmt.Errorf("%w: %q inflates %d:1", ErrRejected, cut(name), ratio)
			}
			a.addAnomaly(AnomalyBomb, name,
				"entry %q inflates %d to %d bytes, ratio %d > limit %d",
				cut(name), e.CompressedSize, e.Size, ratio, a.lim.MaxRatio)
		}
	}
}

// clampSize converts a size from a header to int64, saturating, since a
// hostile header may declare sizes up to 2^64-1.
func clampSize(n uint64) int64 {
	if n > 1<<62 {
		return 1 << 62
	}
	return int64(n)
}
