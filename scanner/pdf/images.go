package pdf

import (
	"fmt"
	"strconv"
)

// collectImages returns the image XObjects: those each page uses, in page
// order and through nested form XObjects, then those no page uses, with
// their soft masks. Images of an encrypted document are ciphertext and are
// skipped.
func (p *parser) collectImages(pages []page) {
	if p.doc.Encrypted {
		return
	}
	done := seenSet{}
	for i, pg := range pages {
		res := p.resolveDict(p.inherited(pg.dict, "Resources"))
		p.imagesInResources(res, p.where(pageLabel(i)), 0, done)
	}
	for _, num := range p.numbers() {
		s, ok := p.objects[num].value.(*stream)
		if ok && !done[num] && asName(s.dict.get("Subtype")) == "Image" {
			done[num] = true
			p.addImage(s, p.where("object "+strconv.Itoa(num)), done)
		}
	}
	if n := p.imagesFound; n > p.lim.MaxImages {
		p.limit(AnomalyLimitImages, strconv.Itoa(n), p.lim.MaxImages, "images")
	}
}

// imagesInResources adds the images of a resource dictionary and descends
// into its form XObjects.
func (p *parser) imagesInResources(res dict, src string, depth int, done seenSet) {
	if depth > p.lim.MaxDepth {
		p.limit(AnomalyLimitDepth, "more than "+strconv.Itoa(p.lim.MaxDepth),
			p.lim.MaxDepth, "form XObject nesting at "+src)
		return
	}
	xobjects := p.resolveDict(res.get("XObject"))
	for _, key := range sortedKeys(xobjects) {
		r, ok := xobjects[key].(ref)
		if !ok || done[r.num] {
			continue
		}
		done[r.num] = true
		s, ok := p.resolve(r).(*stream)
		if !ok {
			continue
		}
		switch asName(s.dict.get("Subtype")) {
		case "Image":
			p.addImage(s, src+" › image /"+string(key), done)
		case "Form":
			inner := p.resolveDict(s.dict.get("Resources"))
			p.imagesInResources(inner, src+" › form /"+string(key), depth+1, done)
		}
	}
}

// addImage decodes one image XObject into an Image, and then its soft
// mask, which can carry the visible shape when the colour samples do not.
// A soft mask has no mask of its own (ISO 32000-1 §11.6.5.3), so only one
// level is followed.
func (p *parser) addImage(s *stream, src string, done seenSet) {
	p.addImageOnly(s, src)
	if r, ok := s.dict.get("SMask").(ref); ok && !done[r.num] {
		done[r.num] = true
		if mask, ok := p.resolve(r).(*stream); ok {
			p.addImageOnly(mask, src+" › soft mask")
		}
	}
}

func (p *parser) addImageOnly(s *stream, src string) {
	p.imagesFound++
	if len(p.doc.Images) >= p.lim.MaxImages || p.work.exhausted {
		return
	}
	p.decodeImage(s, src)
}

func (p *parser) decodeImage(s *stream, src string) {
	width := intOr(p.resolve(s.dict.get("Width")), 0)
	height := intOr(p.resolve(s.dict.get("Height")), 0)
	data, imageFilter, ok := p.decode(s, fmt.Sprintf("image stream %d", s.num))
	if !ok {
		return
	}
	img := Image{Width: width, Height: height, Source: src}
	switch imageFilter {
	case "DCTDecode":
		img.Data, img.Format = data, "jpeg"
	case "":
		png, ok := p.rawToPNG(s.dict, data, width, height, src)
		if !ok {
			return
		}
		img.Data, img.Format = png, "png"
	default:
		p.tally(AnomalyImageUnscanned, string(imageFilter),
			"%s is /%s, which the QR stage cannot read", src, imageFilter)
		return
	}
	p.doc.Images = append(p.doc.Images, img)
}
