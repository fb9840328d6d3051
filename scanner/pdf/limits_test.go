package pdf

import (
	"bytes"
	"strings"
	"testing"
)

func TestOpenLimits(t *testing.T) {
	bomb := deflate(t, make([]byte, 4<<20)) // 4 MiB of zeros in about 4 KiB
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	manyLinks := strings.Repeat("<< /A << /S /URI /URI (https://x.test/) >> >> ", 20)

	tests := []struct {
		name string
		data []byte
		lim  Limits
		want string // anomaly name expected, with its detail containing ">"
	}{
		{
			name: "deflate bomb",
			data: onePage("/Contents 4 0 R", streamObj("/Filter /FlateDecode", bomb)),
			lim:  Limits{MaxStreamBytes: 1 << 20},
			want: AnomalyLimitStreamBytes,
		},
		{
			name: "total decoded bytes",
			data: onePage("/Contents [4 0 R 5 0 R]",
				streamObj("/Filter /FlateDecode", bomb), streamObj("/Filter /FlateDecode", bomb)),
			lim:  Limits{MaxTotalBytes: 6 << 20},
			want: AnomalyLimitTotalBytes,
		},
		{
			name: "nesting depth",
			data: onePage("", deep),
			want: AnomalyLimitDepth,
		},
		{
			name: "objects",
			data: onePage("", "1", "2", "3"),
			lim:  Limits{MaxObjects: 4},
			want: AnomalyLimitObjects,
		},
		{
			name: "tokens",
			data: onePage("", "["+strings.Repeat("1 ", 1000)+"]"),
			lim:  Limits{MaxTokens: 100},
			want: AnomalyLimitTokens,
		},
		{
			name: "links",
			data: onePage("/Annots [" + manyLinks + "]"),
			lim:  Limits{MaxLinks: 5},
			want: AnomalyLimitLinks,
		},
		{
			name: "image pixels",
			data: onePage("/Resources << /XObject << /I 4 0 R >> >>",
				streamObj("/Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceGray /BitsPerComponent 8", []byte("x"))),
			want: AnomalyLimitImagePixels,
		},
		{
			name: "images",
			data: onePage("/Resources << /XObject << /A 4 0 R /B 4 0 R /C 5 0 R >> >>",
				streamObj("/Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", []byte{0}),
				streamObj("/Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", []byte{0})),
			lim:  Limits{MaxImages: 1},
			want: AnomalyLimitImages,
		},
		{
			name: "embedded bytes",
			data: onePage("", "<< /F (big.bin) /EF << /F 5 0 R >> >>",
				streamObj("/Type /EmbeddedFile", bytes.Repeat([]byte("A"), 2000))),
			lim:  Limits{MaxEmbeddedBytes: 1000},
			want: AnomalyLimitEmbeddedBytes,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Open(tt.data, "t.pdf", tt.lim)
			for _, a := range doc.Anomalies {
				if a.Name == tt.want {
					if !strings.Contains(a.Detail, " > ") {
						t.Errorf("detail %q lacks observed > limit", a.Detail)
					}
					return
				}
			}
			t.Errorf("anomalies = %+v, want %s", doc.Anomalies, tt.want)
		})
	}
}

func TestLimitsResolve(t *testing.T) {
	got := Limits{MaxImages: -1}.resolve()
	if got.MaxObjects != DefaultMaxObjects {
		t.Errorf("MaxObjects = %d, want default %d", got.MaxObjects, DefaultMaxObjects)
	}
	if got.MaxImages < 1<<40 {
		t.Errorf("MaxImages = %d, want unlimited for -1", got.MaxImages)
	}
}
