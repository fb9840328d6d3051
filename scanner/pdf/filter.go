package pdf

import (
	"bytes"
	"compress/flate"
	"compress/lzw"
	"compress/zlib"
	"errors"
	"io"
	"strconv"

	tifflzw "golang.org/x/image/tiff/lzw"
)

// errFilter reports data a filter cannot decode.
var errFilter = errors.New("pdf: invalid filter data")

// filterNames maps the abbreviations allowed in inline images, and the full
// names, to the full names.
var filterNames = map[name]name{
	"FlateDecode": "FlateDecode", "Fl": "FlateDecode",
	"LZWDecode": "LZWDecode", "LZW": "LZWDecode",
	"ASCIIHexDecode": "ASCIIHexDecode", "AHx": "ASCIIHexDecode",
	"ASCII85Decode": "ASCII85Decode", "A85": "ASCII85Decode",
	"RunLengthDecode": "RunLengthDecode", "RL": "RunLengthDecode",
	"DCTDecode": "DCTDecode", "DCT": "DCTDecode",
	"CCITTFaxDecode": "CCITTFaxDecode", "CCF": "CCITTFaxDecode",
	"JBIG2Decode": "JBIG2Decode",
	"JPXDecode":   "JPXDecode",
	"Crypt":       "Crypt",
}

// imageFilters end decoding: their output is an encoded image that the
// caller hands on or reports.
var imageFilters = map[name]bool{
	"DCTDecode": true, "CCITTFaxDecode": true, "JBIG2Decode": true, "JPXDecode": true,
}

// decode applies the filters of s up to the first image filter, within
// the per-stream and total byte limits. It returns the data, the image
// filter that remains ("" when none) and whether decoding succeeded.
// Faults and limits are recorded under where.
func (p *parser) decode(s *stream, where string) ([]byte, name, bool) {
	if p.work.exhausted {
		return nil, "", false
	}
	filters, parms := p.filterChain(s.dict)
	data := s.raw
	for i, f := range filters {
		full, known := filterNames[f]
		if !known {
			p.malformed("filter", "%s: unknown filter /%s", where, cut(string(f)))
			return nil, "", false
		}
		if imageFilters[full] {
			return data, full, true
		}
		if full == "Crypt" {
			continue // the identity crypt filter; real decryption is not done
		}

		left := p.lim.MaxTotalBytes - p.decodedTotal
		capBytes := min(p.lim.MaxStreamBytes, left)
		out, err := applyFilter(full, data, p.resolveDict(parms[i]), capBytes)
		if len(out) > capBytes {
			p.overLimit(where, len(out), capBytes < p.lim.MaxStreamBytes)
			return nil, "", false
		}
		p.decodedTotal += len(out)
		if err != nil {
			p.malformed("stream", "%s: /%s: %v", where, full, err)
			if len(out) == 0 {
				return nil, "", false
			}
		}
		data = out
	}
	return data, "", true
}

// overLimit records a stream whose decoded size went past the per-stream
// limit, or past what the total limit had left. Decoders stop one byte past
// the cap, so the true size is known only as a lower bound.
func (p *parser) overLimit(where string, observed int, total bool) {
	if total {
		p.limit(AnomalyLimitTotalBytes, "at least "+strconv.Itoa(p.decodedTotal+observed),
			p.lim.MaxTotalBytes, "decoded bytes of all streams")
		return
	}
	p.limit(AnomalyLimitStreamBytes, "at least "+strconv.Itoa(observed),
		p.lim.MaxStreamBytes, where+" decoded size")
}

// filterChain returns the filter names of d and their parameters, which
// are aligned: parms[i] belongs to filters[i] and may be nil.
func (p *parser) filterChain(d dict) ([]name, []object) {
	f := p.resolve(d.get("Filter"))
	if f == nil {
		f = p.resolve(d.get("F")) // the inline-image abbreviation
	}
	parm := p.resolve(d.get("DecodeParms"))
	if parm == nil {
		parm = p.resolve(d.get("DP"))
	}

	switch f := f.(type) {
	case name:
		return []name{f}, []object{parm}
	case array:
		parms, _ := parm.(array)
		var names []name
		var out []object
		for i, x := range f {
			n := asName(p.resolve(x))
			if n == "" {
				continue
			}
			names = append(names, n)
			if i < len(parms) {
				out = append(out, parms[i])
			} else {
				out = append(out, nil)
			}
		}
		return names, out
	}
	return nil, nil
}

// applyFilter decodes data with one non-image filter. It stops once the
// output exceeds capBytes, returning capBytes+1 bytes, and keeps what was
// decoded before an error.
func applyFilter(f name, data []byte, parms dict, capBytes int) ([]byte, error) {
	var out []byte
	var err error
	switch f {
	case "FlateDecode":
		out, err = inflate(data, capBytes)
	case "LZWDecode":
		out, err = unLZW(data, parms, capBytes)
	case "ASCIIHexDecode":
		out, err = unASCIIHex(data)
	case "ASCII85Decode":
		out, err = unASCII85(data)
	case "RunLengthDecode":
		out, err = unRunLength(data, capBytes)
	}
	if len(out) > capBytes {
		return out[:capBytes+1], err
	}
	if f == "FlateDecode" || f == "LZWDecode" {
		out = unpredict(out, parms)
	}
	return out, err
}

// readCapped reads r until EOF or until it has produced capBytes+1 bytes.
func readCapped(r io.Reader, capBytes int) ([]byte, error) {
	var buf bytes.Buffer
	_, err := io.Copy(&buf, io.LimitReader(r, int64(capBytes)+1))
	return buf.Bytes(), err
}

// inflate decodes zlib data and, when the zlib header is missing, raw
// deflate data, which some writers produce.
func inflate(data []byte, capBytes int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return readCapped(flate.NewReader(bytes.NewReader(data)), capBytes)
	}
	return readCapped(zr, capBytes)
}

// unLZW decodes LZW data. The default /EarlyChange 1 is the code-width
// rule TIFF uses; /EarlyChange 0 is the rule of compress/lzw.
func unLZW(data []byte, parms dict, capBytes int) ([]byte, error) {
	var r io.ReadCloser
	if early, ok := asInt(parms.get("EarlyChange")); ok && early == 0 {
		r = lzw.NewReader(bytes.NewReader(data), lzw.MSB, 8)
	} else {
		r = tifflzw.NewReader(bytes.NewReader(data), tifflzw.MSB, 8)
	}
	defer r.Close()
	return readCapped(r, capBytes)
}

// unASCIIHex decodes hex digits up to ">", skipping white space. The
// output is at most half the input.
func unASCIIHex(data []byte) ([]byte, error) {
	out := make([]byte, 0, len(data)/2+1)
	var hi byte
	half := false
	for _, c := range data {
		if c == '>' {
			break
		}
		if isSpace(c) {
			continue
		}
		v, ok := unhex(c)
		if !ok {
			return out, errFilter
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out, nil
}

// unASCII85 decodes base-85 data up to "~>". The output is at most four
// times the input, reached only by "z" groups.
func unASCII85(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(bytes.TrimLeft(data, " \t\r\n\f\x00"), []byte("<~"))
	var out []byte
	var tuple uint64
	n := 0
	for _, c := range data {
		switch {
		case c == '~':
			return a85Flush(out, tuple, n)
		case isSpace(c):
			continue
		case c == 'z' && n == 0:
			out = append(out, 0, 0, 0, 0)
			continue
		case c < '!' || c > 'u':
			return out, errFilter
		}
		tuple = tuple*85 + uint64(c-'!')
		n++
		if n == 5 {
			out = append(out, byte(tuple>>24), byte(tuple>>16), byte(tuple>>8), byte(tuple))
			tuple, n = 0, 0
		}
	}
	return a85Flush(out, tuple, n)
}

// a85Flush decodes a final partial group of n characters.
func a85Flush(out []byte, tuple uint64, n int) ([]byte, error) {
	if n == 0 {
		return out, nil
	}
	if n == 1 {
		return out, errFilter
	}
	for i := n; i < 5; i++ {
		tuple = tuple*85 + 84
	}
	b := []byte{byte(tuple >> 24), byte(tuple >> 16), byte(tuple >> 8), byte(tuple)}
	return append(out, b[:n-1]...), nil
}

// unRunLength decodes RunLengthDecode data (ISO 32000-1 §7.4.5). A run
// can be 128 times its encoding, so output is checked against capBytes.
func unRunLength(data []byte, capBytes int) ([]byte, error) {
	var out []byte
	for i := 0; i < len(data) && len(out) <= capBytes; {
		l := int(data[i])
		i++
		switch {
		case l == 128:
			return out, nil
		case l < 128:
			end := i + l + 1
			if end > len(data) {
				return append(out, data[i:]...), errFilter
			}
			out = append(out, data[i:end]...)
			i = end
		default:
			if i >= len(data) {
				return out, errFilter
			}
			out = append(out, bytes.Repeat(data[i:i+1], 257-l)...)
			i++
		}
	}
	return out, nil
}
