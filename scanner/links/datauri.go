package links

import (
	"fmt"
	"strings"
)

// dataURI records a data: URI, whose text after "data:" is rest. As an
// image source it becomes an Image. As a link or redirect target it is an
// anomaly, because it can carry a whole page inside the message.
func (e *extractor) dataURI(rest, via string) {
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok {
		return
	}
	meta = strings.ToLower(strings.TrimSpace(meta))
	isBase64 := strings.HasSuffix(meta, ";base64")
	mediaType, _, _ := strings.Cut(strings.TrimSuffix(meta, ";base64"), ";")
	mediaType = strings.TrimSpace(mediaType)
	if mediaType == "" {
		mediaType = "text/plain"
	}

	payload = percentDecode(payload)
	size := len(payload)
	if isBase64 {
		size = base64Size(payload)
	}

	switch via {
	case "href", "form-action", "meta-refresh", "script":
		e.anomaly(AnomalyDataURIHref, fmt.Sprintf("%s %s of %d bytes", via, mediaType, size))
		return
	}
	img := Image{Via: via, Source: e.source, MediaType: mediaType, Size: size}
	if size > e.lim.MaxDataURIBytes {
		e.anomaly(AnomalyDataURITooLarge, fmt.Sprintf("%s %d > %d bytes", mediaType, size, e.lim.MaxDataURIBytes))
		e.images = append(e.images, img)
		return
	}
	if isBase64 {
		img.Data = decodeBase64(payload)
	} else {
		img.Data = []byte(payload)
	}
	e.images = append(e.images, img)
}
