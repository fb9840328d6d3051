package pdf

// Bounds on predictor parameters (ISO 32000-1 §7.4.4.4). The standard
// allows 1, 2, 4, 8 and 16 bits per component but sets no bound on colours
// and columns. These bounds are arbitrary: well above any real image, and
// small enough that columns×colors×bits cannot overflow.
const (
	maxPredictorColors  = 64
	maxPredictorColumns = 1 << 24
)

// unpredict undoes a PNG (10–15) or TIFF (2) predictor given in parms. Data
// with invalid parameters is returned unchanged, since a wrong guess costs
// less than dropping the stream.
func unpredict(data []byte, parms dict) []byte {
	pred, _ := asInt(parms.get("Predictor"))
	if pred < 2 {
		return data
	}
	colors := intOr(parms.get("Colors"), 1)
	bits := intOr(parms.get("BitsPerComponent"), 8)
	columns := intOr(parms.get("Columns"), 1)
	if colors < 1 || colors > maxPredictorColors || columns < 1 || columns > maxPredictorColumns {
		return data
	}
	switch bits {
	case 1, 2, 4, 8, 16:
	default:
		return data
	}
	rowLen := (colors*bits*columns + 7) / 8
	bpp := max(1, colors*bits/8) // bytes per pixel, as PNG defines it
	if pred == 2 {
		if bits == 8 {
			unpredictTIFF(data, rowLen, bpp)
		}
		return data
	}
	return unpredictPNG(data, rowLen, bpp)
}

func intOr(o object, def int) int {
	if v, ok := asInt(o); ok {
		return v
	}
	return def
}

// unpredictTIFF undoes horizontal differencing of 8-bit samples in place.
func unpredictTIFF(data []byte, rowLen, bpp int) {
	for row := 0; row < len(data); row += rowLen {
		end := min(row+rowLen, len(data))
		for i := row + bpp; i < end; i++ {
			data[i] += data[i-bpp]
		}
	}
}

// unpredictPNG undoes PNG row filters: each row is a filter-type byte and
// rowLen bytes. The output is never longer than the input. A final short
// row is decoded as far as it goes.
func unpredictPNG(data []byte, rowLen, bpp int) []byte {
	out := make([]byte, 0, len(data)-len(data)/(rowLen+1))
	prev := make([]byte, min(rowLen, len(data)))
	for i := 0; i < len(data); i += rowLen + 1 {
		kind := data[i]
		row := data[i+1 : min(i+1+rowLen, len(data))]
		cur := make([]byte, len(row))
		for x, c := range row {
			var left, up, upLeft byte
			if x >= bpp {
				left = cur[x-bpp]
				upLeft = prev[x-bpp]
			}
			up = prev[x]
			switch kind {
			case 1:
				c += left
			case 2:
				c += up
			case 3:
				c += byte((int(left) + int(up)) / 2)
			case 4:
				c += paeth(left, up, upLeft)
			}
			cur[x] = c
		}
		out = append(out, cur...)
		copy(prev, cur)
	}
	return out
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
