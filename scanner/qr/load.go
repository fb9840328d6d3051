package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG with image.Decode

	_ "golang.org/x/image/bmp"  // registers BMP with image.Decode
	_ "golang.org/x/image/tiff" // registers TIFF with image.Decode
	_ "golang.org/x/image/webp" // registers WebP with image.Decode
)

// sniff names the image format from its first bytes, "" when unknown.
// Vector formats are named too, so they can be reported as unscanned.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "jpeg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "gif"
	case bytes.HasPrefix(data, []byte("BM")):
		return "bmp"
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return "tiff"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "webp"
	case len(data) >= 44 && bytes.Equal(data[:4], []byte{1, 0, 0, 0}) && string(data[40:44]) == " EMF":
		return "emf"
	case bytes.HasPrefix(data, []byte{0xd7, 0xcd, 0xc6, 0x9a}),
		bytes.HasPrefix(data, []byte{1, 0, 9, 0}), bytes.HasPrefix(data, []byte{2, 0, 9, 0}):
		return "wmf"
	case bytes.Contains(data[:min(len(data), 512)], []byte("<svg")):
		return "svg"
	}
	return ""
}

// checkConfig reads the image header and checks the pixel count before
// anything is decoded, so a small file that declares a huge canvas is
// rejected without allocating it.
func checkConfig(data []byte, lim Limits, res *Result) bool {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		res.anomaly(AnomalyUnreadable, fmt.Sprintf("%s header: %v", res.Format, err))
		return false
	}
	res.Width, res.Height = cfg.Width, cfg.Height
	if cfg.Width <= 0 || cfg.Height <= 0 {
		res.anomaly(AnomalyUnreadable, fmt.Sprintf("%s header: size %dx%d", res.Format, cfg.Width, cfg.Height))
		return false
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	if px > int64(lim.MaxPixels) {
		res.anomaly(AnomalyTooLarge, fmt.Sprintf("%dx%d = %d px > limit %d",
			cfg.Width, cfg.Height, px, lim.MaxPixels))
		return false
	}
	if res.Format == "jpeg" && cfg.ColorModel == color.CMYKModel && !hasAdobeMarker(data) {
		res.anomaly(AnomalyCMYK, "4-component JPEG without an Adobe APP14 marker: "+
			"ink polarity guessed, both polarities scanned")
	}
	return true
}

// hasAdobeMarker reports whether a JPEG carries an APP14 "Adobe" segment
// before its first scan. Without it the polarity of 4-component data is a
// guess: image/jpeg assumes Adobe's inverted CMYK.
func hasAdobeMarker(data []byte) bool {
	i := 2
	for i+4 <= len(data) && data[i] == 0xff {
		marker := data[i+1]
		if marker == 0xda { // start of scan: no more headers
			return false
		}
		n := int(data[i+2])<<8 | int(data[i+3])
		if marker == 0xee && i+4+5 <= len(data) && string(data[i+4:i+9]) == "Adobe" {
			return true
		}
		i += 2 + n
	}
	return false
}

// decodeFrames decodes the image into the pictures to scan: one for most
// formats, and each composed frame, at most lim.MaxFrames, for GIF.
func decodeFrames(data []byte, lim Limits, res *Result) []image.Image {
	if res.Format == "gif" {
		return decodeGIF(data, lim, res)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		res.anomaly(AnomalyUnreadable, fmt.Sprintf("%s: %v", res.Format, err))
		return nil
	}
	return []image.Image{img}
}

func decodeGIF(data []byte, lim Limits, res *Result) []image.Image {
	// Every frame can be as large as the canvas, so the frame cap is also
	// lowered until all frames together fit in MaxPixels.
	maxFrames := lim.MaxFrames
	if px := res.Width * res.Height; px > 0 {
		maxFrames = max(1, min(maxFrames, lim.MaxPixels/px))
	}
	prefix, total := truncateGIF(data, maxFrames)
	if total > maxFrames {
		res.anomaly(AnomalyFramesLimit, fmt.Sprintf("%d frames > limit %d: later frames not scanned",
			total, maxFrames))
	}
	g, err := gif.DecodeAll(bytes.NewReader(prefix))
	if err != nil {
		res.anomaly(AnomalyUnreadable, fmt.Sprintf("gif: %v", err))
		return nil
	}
	res.Frames = len(g.Image)

	// Frames may cover only part of the canvas, so each frame is drawn over
	// the previous ones, as a viewer shows it.
	canvas := image.NewRGBA(image.Rect(0, 0, res.Width, res.Height))
	var out []image.Image
	for i, fr := range g.Image {
		draw.Draw(canvas, fr.Bounds(), fr, fr.Bounds().Min, draw.Over)
		snap := image.NewRGBA(canvas.Bounds())
		copy(snap.Pix, canvas.Pix)
		if len(out) == 0 || !bytes.Equal(out[len(out)-1].(*image.RGBA).Pix, snap.Pix) {
			out = append(out, snap)
		}
		if i < len(g.Disposal) && g.Disposal[i] == gif.DisposalBackground {
			draw.Draw(canvas, fr.Bounds(), image.Transparent, image.Point{}, draw.Src)
		}
	}
	return out
}

// truncateGIF returns the stream cut after its first n frames, with a
// trailer, and the number of frames the whole stream holds. A stream it
// cannot walk is returned whole, for the decoder to reject.
func truncateGIF(data []byte, n int) ([]byte, int) {
	if len(data) < 13 {
		return data, 0
	}
	i := 13
	if packed := data[10]; packed&0x80 != 0 {
		i += 3 << ((packed & 7) + 1)
	}
	frames, cut := 0, 0
	for i < len(data) {
		switch data[i] {
		case 0x21: // extension: label, then sub-blocks
			i = skipSubBlocks(data, i+2)
		case 0x2c: // image descriptor, local colour table, LZW code size
			if i+10 > len(data) {
				return data, frames
			}
			next := i + 10
			if packed := data[i+9]; packed&0x80 != 0 {
				next += 3 << ((packed & 7) + 1)
			}
			i = skipSubBlocks(data, next+1)
			frames++
			if frames == n {
				cut = i
			}
		case 0x3b:
			i = len(data)
		default:
			return data, frames
		}
	}
	if cut == 0 || frames <= n || cut > len(data) {
		return data, frames
	}
	out := append(data[:cut:cut], 0x3b)
	return out, frames
}

func skipSubBlocks(data []byte, i int) int {
	for i < len(data) {
		size := int(data[i])
		i++
		if size == 0 {
			return i
		}
		i += size
	}
	return len(data) + 1
}
