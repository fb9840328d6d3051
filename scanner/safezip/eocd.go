package safezip

import (
	"bytes"
	"encoding/binary"
)

// Record layouts from the PKWARE APPNOTE.TXT (version 6.3), section 4.3.
const (
	eocdLen          = 22 // end-of-central-directory record without comment
	eocd64LocatorLen = 20 // zip64 end-of-central-directory locator
	eocd64Len        = 56 // zip64 end-of-central-directory record, fixed part
	maxCommentLen    = 0xffff
)

var (
	eocdSig          = []byte("PK\x05\x06")
	eocd64LocatorSig = []byte("PK\x06\x07")
	eocd64Sig        = []byte("PK\x06\x06")
)

// layout is the position of the archive inside the bytes it was found in.
type layout struct {
	// prepended is the number of bytes before the archive's first byte.
	prepended int64
	// trailing is the number of bytes after the end record and its comment.
	trailing int64
}

// findLayout locates the end-of-central-directory record the way readers
// do, from the end of data, and derives how many bytes come before and
// after the archive. It returns false when no record is found.
func findLayout(data []byte) (layout, bool) {
	low := max(0, len(data)-eocdLen-maxCommentLen)
	for pos := len(data) - eocdLen; pos >= low; pos-- {
		if !bytes.HasPrefix(data[pos:], eocdSig) {
			continue
		}
		commentLen := int(binary.LittleEndian.Uint16(data[pos+20:]))
		if pos+eocdLen+commentLen <= len(data) {
			return layoutAt(data, pos, commentLen), true
		}
	}
	return layout{}, false
}

// layoutAt computes the layout from the end record at pos. The central
// directory ends where the end record (or its zip64 form) begins, so any
// gap between the directory's declared offset plus size and that point is
// data prepended to the archive.
func layoutAt(data []byte, pos, commentLen int) layout {
	rec := data[pos:]
	cdSize := int64(binary.LittleEndian.Uint32(rec[12:]))
	cdOffset := int64(binary.LittleEndian.Uint32(rec[16:]))
	dirEnd := int64(pos)

	if z64, ok := zip64Directory(data, pos); ok {
		cdSize, cdOffset, dirEnd = z64.size, z64.offset, z64.recordPos
	}

	l := layout{trailing: int64(len(data) - pos - eocdLen - commentLen)}
	if p := dirEnd - cdSize - cdOffset; p > 0 {
		l.prepended = p
	}
	return l
}

type zip64Dir struct {
	size, offset, recordPos int64
}

// zip64Directory reads the zip64 end record that sits directly before the
// locator, which sits directly before the end record at pos.
func zip64Directory(data []byte, pos int) (zip64Dir, bool) {
	loc := pos - eocd64LocatorLen
	rec := loc - eocd64Len
	if rec < 0 || !bytes.HasPrefix(data[loc:], eocd64LocatorSig) ||
		!bytes.HasPrefix(data[rec:], eocd64Sig) {
		return zip64Dir{}, false
	}
	size := binary.LittleEndian.Uint64(data[rec+40:])
	offset := binary.LittleEndian.Uint64(data[rec+48:])
	if size > uint64(len(data)) || offset > uint64(len(data)) {
		return zip64Dir{}, false
	}
	return zip64Dir{size: int64(size), offset: int64(offset), recordPos: int64(rec)}, true
}
