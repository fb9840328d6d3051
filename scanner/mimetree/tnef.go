package mimetree

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// TNEF (MS-OXTNEF) is the format of the winmail.dat attachments Outlook
// sends. A stream is a signature, a key and a list of attributes, each a
// level byte, a 32-bit ID (type in the high half), a 32-bit length, the
// data and a 16-bit checksum, all little-endian.
const (
	tnefSignature = 0x223e9f78

	attBody           = 0x0002800c
	attAttachTitle    = 0x00018010
	attAttachData     = 0x0006800f
	attAttachRendData = 0x00069002
	attMAPIProps      = 0x00069003
	attAttachment     = 0x00069005
)

// MAPI property IDs (MS-OXPROPS) read from attAttachment and attMAPIProps.
const (
	prBody               = 0x1000
	prBodyHTML           = 0x1013
	prDisplayName        = 0x3001
	prAttachDataBin      = 0x3701
	prAttachFilename     = 0x3704
	prAttachLongFilename = 0x3707
	prAttachMIMETag      = 0x370e
)

var errTNEFTruncated = errors.New("mimetree: TNEF stream is truncated")

// tnefFile is one file or body found in a TNEF stream.
type tnefFile struct {
	names     []string
	mediaType string
	data      []byte
}

func (f *tnefFile) empty() bool { return len(f.names) == 0 && len(f.data) == 0 }

// parseTNEF returns the attachments and bodies in a TNEF stream. On error,
// the files read before the damage are returned with it.
func parseTNEF(b []byte) ([]tnefFile, error) {
	if len(b) < 6 || binary.LittleEndian.Uint32(b) != tnefSignature {
		return nil, errors.New("mimetree: TNEF signature missing")
	}
	var files []tnefFile
	cur := &tnefFile{mediaType: "application/octet-stream"}
	rest := b[6:]
	var err error
	for len(rest) > 0 && err == nil {
		if len(rest) < 9 {
			err = errTNEFTruncated
			break
		}
		id := binary.LittleEndian.Uint32(rest[1:])
		size := binary.LittleEndian.Uint32(rest[5:])
		data := rest[9:]
		if uint64(size)+2 > uint64(len(data)) {
			err = errTNEFTruncated
			size = uint32(len(data))
		}
		data = data[:size]
		rest = rest[min(len(rest), 9+int(size)+2):]

		switch id {
		case attAttachRendData:
			if !cur.empty() {
				files = append(files, *cur)
			}
			cur = &tnefFile{mediaType: "application/octet-stream"}
		case attAttachTitle:
			cur.names = append(cur.names, cString8(data))
		case attAttachData:
			cur.data = data
		case attAttachment:
			err = readAttachProps(cur, data)
		case attMAPIProps:
			files, err = appendBodies(files, data)
		case attBody:
			files = append(files, tnefFile{mediaType: "text/plain", data: data,
				names: []string{"body.txt"}})
		}
	}
	if !cur.empty() {
		files = append(files, *cur)
	}
	return files, err
}

// readAttachProps reads the MAPI properties of one attachment.
func readAttachProps(f *tnefFile, b []byte) error {
	props, err := parseMAPIProps(b)
	for _, p := range props {
		switch p.id {
		case prAttachLongFilename, prAttachFilename, prDisplayName:
			f.names = append(f.names, p.text())
		case prAttachMIMETag:
			if t := strings.ToLower(p.text()); strings.Contains(t, "/") {
				f.mediaType = t
			}
		case prAttachDataBin:
			if len(f.data) == 0 {
				f.data = p.value
			}
		}
	}
	return err
}

// appendBodies adds the plain and HTML bodies found in message properties.
func appendBodies(files []tnefFile, b []byte) ([]tnefFile, error) {
	props, err := parseMAPIProps(b)
	for _, p := range props {
		switch p.id {
		case prBody:
			files = append(files, tnefFile{mediaType: "text/plain",
				data: []byte(p.text()), names: []string{"body.txt"}})
		case prBodyHTML:
			files = append(files, tnefFile{mediaType: "text/html",
				data: []byte(p.text()), names: []string{"body.html"}})
		}
	}
	return files, err
}

// cString8 reads a NUL-terminated 8-bit string.
func cString8(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return toUTF8(b)
}

// mapiProp is the first value of one MAPI property.
type mapiProp struct {
	id, typ uint16
	value   []byte
}

// MAPI property types (MS-OXCDATA §2.11.1).
const (
	ptString8  = 0x001e
	ptUnicode  = 0x001f
	ptBinary   = 0x0102
	ptObject   = 0x000d
	ptMultiple = 0x1000
)

func (p mapiProp) text() string {
	if p.typ == ptUnicode {
		u := make([]uint16, len(p.value)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(p.value[2*i:])
		}
		return strings.TrimRight(string(utf16.Decode(u)), "\x00")
	}
	return cString8(p.value)
}

// fixedSize returns the stored size of a fixed-size property type, padded
// to 4 bytes as TNEF stores it, or 0 for a variable or unknown type.
func fixedSize(typ uint16) int {
	switch typ {
	case 0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x000a, 0x000b:
		return 4
	case 0x0005, 0x0006, 0x0007, 0x0014, 0x0040:
		return 8
	case 0x0048:
		return 16
	}
	return 0
}

// mapiReader reads little-endian values and records truncation.
type mapiReader struct {
	b   []byte
	err error
}

func (r *mapiReader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errTNEFTruncated
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *mapiReader) u32() uint32 {
	if v := r.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (r *mapiReader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}

// parseMAPIProps reads a MAPI property list (MS-OXTNEF §2.1.3.4). It keeps
// the first value of each property.
func parseMAPIProps(b []byte) ([]mapiProp, error) {
	r := &mapiReader{b: b}
	count := r.u32()
	var props []mapiProp
	for i := uint32(0); i < count && r.err == nil; i++ {
		p := mapiProp{typ: r.u16(), id: r.u16()}
		if p.id >= 0x8000 {
			r.take(16)
			if kind := r.u32(); kind == 0 {
				r.take(4)
			} else {
				r.take(pad4(int(r.u32())))
			}
		}
		base := p.typ &^ ptMultiple
		variable := base == ptString8 || base == ptUnicode || base == ptBinary || base == ptObject
		size := fixedSize(base)
		if !variable && size == 0 {
			return props, fmt.Errorf("mimetree: TNEF property type %#04x is unknown", p.typ)
		}

		values := uint32(1)
		if variable || p.typ&ptMultiple != 0 {
			values = r.u32()
		}
		if int64(values) > int64(len(r.b)) {
			return props, errTNEFTruncated
		}
		for v := uint32(0); v < values && r.err == nil; v++ {
			var val []byte
			if variable {
				n := int(r.u32())
				val = r.take(n)
				r.take(pad4(n) - n)
			} else {
				val = r.take(size)
			}
			if v == 0 {
				p.value = val
			}
		}
		if base == ptObject && len(p.value) >= 16 {
			// An object value starts with the 16-byte interface ID.
			p.value = p.value[16:]
		}
		props = append(props, p)
	}
	return props, r.err
}

func pad4(n int) int { return (n + 3) &^ 3 }
