package safezip

import (
	"errors"
	"testing"
)

// FuzzZip opens arbitrary bytes and reads every entry. It checks that Open
// either fails with ErrNotZip or returns entries, and that no read returns
// more than the declared size or more than the archive's byte limit.
func FuzzZip(f *testing.F) {
	f.Add(buildZip(f, entry{name: "a.txt", data: []byte("hello")}))
	f.Add(append([]byte("%PDF-1.4\n"), buildZip(f, entry{name: "../x", data: []byte("x")})...))
	f.Add(buildZip(f, entry{name: "d", data: []byte("1")}, entry{name: "D", data: []byte("2")}))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))

	lim := Limits{MaxEntries: 64, MaxEntryBytes: 1 << 20, MaxTotalBytes: 4 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Open(data, lim)
		if err != nil {
			if !errors.Is(err, ErrNotZip) {
				t.Fatalf("Open error %v does not wrap ErrNotZip", err)
			}
			return
		}
		if len(a.Entries) > lim.MaxEntries {
			t.Fatalf("%d entries listed > limit %d", len(a.Entries), lim.MaxEntries)
		}
		var total int64
		for _, e := range a.Entries {
			got, err := a.Read(e)
			if err != nil {
				continue
			}
			if int64(len(got)) > e.Size || int64(len(got)) > lim.MaxEntryBytes {
				t.Fatalf("Read(%q) returned %d bytes, declared %d", e.Name, len(got), e.Size)
			}
			total += int64(len(got))
		}
		if total > lim.MaxTotalBytes {
			t.Fatalf("read %d bytes in total > limit %d", total, lim.MaxTotalBytes)
		}
	})
}
