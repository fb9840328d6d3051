package mimetree

import (
	"bytes"
	"strings"
)

// uuBlock is one uuencoded file.
type uuBlock struct {
	name string
	data []byte
	// bad counts lines that needed leniency.
	bad int
}

// parseBeginLine reads "begin MODE NAME" and returns NAME.
func parseBeginLine(line []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(line, []byte("begin "))
	if !ok {
		return "", false
	}
	mode, name, ok := bytes.Cut(bytes.TrimLeft(rest, " "), []byte(" "))
	if !ok || len(mode) < 3 || len(mode) > 4 {
		return "", false
	}
	for _, c := range mode {
		if c < '0' || c > '7' {
			return "", false
		}
	}
	return strings.TrimSpace(string(name)), true
}

// uuLineOK reports whether line has the length its count character
// promises, give or take trailing padding that encoders add or drop.
func uuLineOK(line []byte) bool {
	if len(line) == 0 || line[0] < 0x20 || line[0] > 0x60 {
		return false
	}
	n := int(line[0]-0x20) & 0x3f
	want := 1 + (n+2)/3*4
	return len(line) >= want-2 && len(line) <= want+2
}

// decodeUULines decodes data lines up to "end" and returns the rest of b.
func decodeUULines(b []byte) ([]byte, []byte, int) {
	var out []byte
	bad := 0
	for len(b) > 0 {
		line, rest := nextLine(b)
		t := bytes.TrimRight(line, " \t")
		if bytes.Equal(t, []byte("end")) {
			return out, rest, bad
		}
		if len(t) == 0 || t[0] == '`' || t[0] == ' ' {
			b = rest
			continue
		}
		if !uuLineOK(t) {
			bad++
			if !bytes.HasPrefix(rest, []byte("end")) {
				return out, b, bad
			}
		}
		out = appendUULine(out, t)
		b = rest
	}
	return out, nil, bad + 1
}

// appendUULine decodes one line. Characters missing at the end read as 0.
func appendUULine(out, line []byte) []byte {
	n := int(line[0]-0x20) & 0x3f
	var group [4]byte
	for i := 1; n > 0; i += 4 {
		for j := range group {
			group[j] = 0
			if i+j < len(line) {
				group[j] = (line[i+j] - 0x20) & 0x3f
			}
		}
		b := [3]byte{group[0]<<2 | group[1]>>4, group[1]<<4 | group[2]>>2, group[2]<<6 | group[3]}
		k := min(n, 3)
		out = append(out, b[:k]...)
		n -= k
	}
	return out
}

// findUUBlocks returns the "begin NNN name" blocks in a text body.
func findUUBlocks(b []byte) []uuBlock {
	var blocks []uuBlock
	for len(b) > 0 {
		line, rest := nextLine(b)
		b = rest
		name, ok := parseBeginLine(line)
		if !ok {
			continue
		}
		first, _ := nextLine(rest)
		if !uuLineOK(bytes.TrimRight(first, " \t")) {
			continue
		}
		var blk uuBlock
		blk.name = name
		blk.data, b, blk.bad = decodeUULines(rest)
		blocks = append(blocks, blk)
	}
	return blocks
}

// decodeUUBody decodes a body whose transfer encoding is uuencode. A body
// without a begin line is decoded from its first line.
func (w *walker) decodeUUBody(p *Part, body []byte) []byte {
	if blocks := findUUBlocks(body); len(blocks) > 0 {
		blk := blocks[0]
		w.addNames(p, []string{blk.name})
		if blk.bad > 0 || len(blocks) > 1 {
			w.add(anomaly(AnomalyUUInvalid, p.Path,
				"uuencoded body has %d bad lines and %d blocks", blk.bad, len(blocks)))
		}
		return blk.data
	}
	data, _, bad := decodeUULines(body)
	w.add(anomaly(AnomalyUUInvalid, p.Path,
		"uuencoded body has no begin line and %d bad lines", bad))
	return data
}
