package mimetree

import (
	"encoding/base64"
	"encoding/binary"
	"testing"
)

// tnefAttribute encodes one TNEF attribute: level, ID, length, data and
// the 16-bit sum of the data bytes.
func tnefAttribute(level byte, id uint32, data []byte) []byte {
	b := []byte{level}
	b = binary.LittleEndian.AppendUint32(b, id)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	var sum uint16
	for _, c := range data {
		sum += uint16(c)
	}
	return binary.LittleEndian.AppendUint16(b, sum)
}

// A TNEF stream under an uninformative name and type is found by its
// signature bytes and its file is extracted.
func TestTNEFFoundBySignature(t *testing.T) {
	stream := binary.LittleEndian.AppendUint32(nil, tnefSignature)
	stream = append(stream, 0x01, 0x00) // key
	stream = append(stream, tnefAttribute(2, attAttachRendData, make([]byte, 14))...)
	stream = append(stream, tnefAttribute(2, attAttachTitle, []byte("evil.exe\x00"))...)
	stream = append(stream, tnefAttribute(2, attAttachData, []byte("MZ\x90\x00payload"))...)
	msg := "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" +
		"Content-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(stream) + "\r\n--b--\r\n"
	m := Parse([]byte(msg), Limits{})
	for _, p := range m.Parts {
		if p.Origin == OriginTNEF && p.Filename == "evil.exe" && string(p.Body[:2]) == "MZ" {
			return
		}
	}
	for _, p := range m.Parts {
		t.Logf("part %s origin %s name %q", p.Path, p.Origin, p.Filename)
	}
	t.Errorf("no TNEF part evil.exe found; anomalies %+v", m.Anomalies)
}
