package pdf

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strconv"
)

// colorModel is the mapping from the samples of a raw image to colours.
type colorModel struct {
	components int    // samples per pixel
	kind       string // "gray", "rgb", "cmyk", "indexed" or "separation"
	base       *colorModel
	palette    []byte // indexed: base components per entry
}

// colorSpace reads an image's colour space (ISO 32000-1 §8.6). It returns
// false for the spaces this package does not rebuild (Lab, DeviceN,
// Pattern), naming the space.
func (p *parser) colorSpace(o object, depth int) (colorModel, string, bool) {
	o = p.resolve(o)
	family := asName(o)
	arr, isArray := o.(array)
	if isArray && len(arr) > 0 {
		family = asName(p.resolve(arr[0]))
	}
	switch family {
	case "DeviceGray", "G", "CalGray":
		return colorModel{components: 1, kind: "gray"}, "", true
	case "DeviceRGB", "RGB", "CalRGB":
		return colorModel{components: 3, kind: "rgb"}, "", true
	case "DeviceCMYK", "CMYK":
		return colorModel{components: 4, kind: "cmyk"}, "", true
	case "ICCBased":
		if len(arr) > 1 {
			if s, ok := p.resolve(arr[1]).(*stream); ok {
				switch n, _ := asInt(p.resolve(s.dict.get("N"))); n {
				case 1:
					return colorModel{components: 1, kind: "gray"}, "", true
				case 4:
					return colorModel{components: 4, kind: "cmyk"}, "", true
				}
			}
		}
		return colorModel{components: 3, kind: "rgb"}, "", true
	case "Separation":
		// One tint: 1 is full colourant, so it reads as inverted grey.
		return colorModel{components: 1, kind: "separation"}, "", true
	case "Indexed", "I":
		return p.indexedSpace(arr, depth)
	}
	return colorModel{}, "/" + string(family), false
}

// indexedSpace reads [/Indexed base hival lookup].
func (p *parser) indexedSpace(arr array, depth int) (colorModel, string, bool) {
	if len(arr) < 4 || depth > 0 {
		return colorModel{}, "/Indexed", false
	}
	base, what, ok := p.colorSpace(arr[1], depth+1)
	if !ok || base.kind == "indexed" {
		return colorModel{}, "/Indexed on " + what, false
	}
	var lookup []byte
	switch v := p.resolve(arr[3]).(type) {
	case str:
		lookup = v
	case *stream:
		lookup, _, _ = p.decode(v, "palette stream "+strconv.Itoa(v.num))
	}
	return colorModel{components: 1, kind: "indexed", base: &base, palette: lookup}, "", true
}

// rawToPNG rebuilds a raw image as PNG. The pixel count is checked against
// Limits.MaxImagePixels before any pixel buffer is allocated, and a short
// sample buffer yields only the complete rows it holds.
func (p *parser) rawToPNG(d dict, data []byte, width, height int, src string) ([]byte, bool) {
	if width <= 0 || height <= 0 {
		p.malformed("image", "%s: invalid size %d×%d", src, width, height)
		return nil, false
	}
	if width > p.lim.MaxImagePixels/height {
		p.limit(AnomalyLimitImagePixels, strconv.Itoa(width)+"×"+strconv.Itoa(height),
			p.lim.MaxImagePixels, src+" pixels")
		return nil, false
	}

	bits := intOr(p.resolve(d.get("BitsPerComponent")), 8)
	model, what, ok := p.colorSpace(d.get("ColorSpace"), 0)
	if mask, _ := p.resolve(d.get("ImageMask")).(bool); mask {
		// A stencil mask: sample 0 paints, as black on the page.
		bits, model, ok = 1, colorModel{components: 1, kind: "gray"}, true
	}
	if !ok {
		p.tally(AnomalyImageUnscanned, "colour space", "%s has colour space %s", src, cut(what))
		return nil, false
	}
	switch bits {
	case 1, 2, 4, 8, 16:
	default:
		p.malformed("image", "%s: %d bits per component", src, bits)
		return nil, false
	}

	rowBytes := (width*model.components*bits + 7) / 8
	rows := min(height, len(data)/rowBytes)
	if rows == 0 {
		p.malformed("image", "%s: %d bytes of samples, less than one row of %d", src, len(data), rowBytes)
		return nil, false
	}
	r := raster{data: data, rowBytes: rowBytes, bits: bits, model: model, invert: invertDecode(p.resolveArray(d.get("Decode")))}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, r.image(width, rows)); err != nil {
		p.malformed("image", "%s: PNG encoding failed: %v", src, err)
		return nil, false
	}
	return buf.Bytes(), true
}

// invertDecode reports a /Decode array that swaps the first component's
// range, such as [1 0], which inverts a grey image or a stencil mask.
func invertDecode(a array) bool {
	if len(a) < 2 {
		return false
	}
	lo, ok1 := a[0].(integer)
	hi, ok2 := a[1].(integer)
	return ok1 && ok2 && lo > hi
}

// raster reads the packed samples of a raw image.
type raster struct {
	data     []byte
	rowBytes int
	bits     int
	model    colorModel
	invert   bool
}

// sample returns component i of row y scaled to 0–255.
func (r *raster) sample(y, i int) uint8 {
	row := r.data[y*r.rowBytes : (y+1)*r.rowBytes]
	switch r.bits {
	case 8:
		return row[i]
	case 16:
		return row[2*i]
	}
	bit := i * r.bits
	v := row[bit/8] >> (8 - r.bits - bit%8) & (1<<r.bits - 1)
	return uint8(int(v) * 255 / (1<<r.bits - 1))
}

// index returns the raw sample i of row y, for palette lookup.
func (r *raster) index(y, i int) int {
	if r.bits >= 8 {
		return int(r.sample(y, i))
	}
	row := r.data[y*r.rowBytes : (y+1)*r.rowBytes]
	bit := i * r.bits
	return int(row[bit/8] >> (8 - r.bits - bit%8) & (1<<r.bits - 1))
}

func (r *raster) image(width, height int) image.Image {
	rect := image.Rect(0, 0, width, height)
	if r.model.kind == "gray" || r.model.kind == "separation" {
		img := image.NewGray(rect)
		flip := r.invert != (r.model.kind == "separation")
		for y := range height {
			for x := range width {
				v := r.sample(y, x)
				if flip {
					v = 255 - v
				}
				img.Pix[y*img.Stride+x] = v
			}
		}
		return img
	}
	img := image.NewNRGBA(rect)
	for y := range height {
		for x := range width {
			img.SetNRGBA(x, y, r.pixel(y, x))
		}
	}
	return img
}

// pixel returns the colour of pixel x in row y of an RGB, CMYK or indexed
// image.
func (r *raster) pixel(y, x int) color.NRGBA {
	n := r.model.components
	switch r.model.kind {
	case "rgb":
		return color.NRGBA{r.sample(y, x*n), r.sample(y, x*n+1), r.sample(y, x*n+2), 255}
	case "cmyk":
		return cmykToRGB(r.sample(y, x*n), r.sample(y, x*n+1), r.sample(y, x*n+2), r.sample(y, x*n+3))
	}
	base := r.model.base
	i := r.index(y, x) * base.components
	if i+base.components > len(r.model.palette) {
		return color.NRGBA{0, 0, 0, 255}
	}
	e := r.model.palette[i : i+base.components]
	switch base.kind {
	case "rgb":
		return color.NRGBA{e[0], e[1], e[2], 255}
	case "cmyk":
		return cmykToRGB(e[0], e[1], e[2], e[3])
	case "separation":
		return color.NRGBA{255 - e[0], 255 - e[0], 255 - e[0], 255}
	}
	return color.NRGBA{e[0], e[0], e[0], 255}
}

// cmykToRGB converts without a colour profile, which is close enough to
// tell dark modules from light ones.
func cmykToRGB(c, m, y, k uint8) color.NRGBA {
	conv := func(v uint8) uint8 { return uint8((255 - int(v)) * (255 - int(k)) / 255) }
	return color.NRGBA{conv(c), conv(m), conv(y), 255}
}
