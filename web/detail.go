package web

import (
	"context"
	"sort"

	"github.com/holdfast/holdfast/quarantine"
)

// detailData is the detail page's data. Every text that came from the
// message or its evidence is escaped by the template, and every URL in it
// is defanged here.
type detailData struct {
	Entry   *quarantine.Entry
	Signals []signalView
	Links   []linkView
	// NewDomains lists the link and QR domains never seen before,
	// defanged.
	NewDomains []string
	QRCodes    []qrView
	Origin     []string
	Message    messageView
	// RawProblem is set when the stored message could not be read.
	RawProblem string
	Audit      []quarantine.Action
	Actions    []actionLink
	// CampaignText is the entry's campaign label as shown, and CampaignID
	// the campaign it names, 0 when not found.
	CampaignText string
	CampaignID   int64
}

type signalView struct {
	Name     string
	Score    float64
	Evidence string
}

type linkView struct {
	URL    string
	Domain string
	Via    string
	Source string
	New    bool
}

type qrView struct {
	Text   string
	Source string
	Region string
}

// detailData gathers everything the detail page shows about e.
func (s *Server) detailData(ctx context.Context, e *quarantine.Entry) (detailData, error) {
	d := detailData{
		Entry:   e,
		Origin:  originSentences(e.Origin),
		Actions: allowedActions(e),
	}
	for _, sig := range e.Signals {
		d.Signals = append(d.Signals, signalView{
			Name: sig.Name, Score: sig.Score, Evidence: defangText(sig.Evidence),
		})
	}

	newDomains := map[string]bool{}
	for _, l := range e.Links {
		d.Links = append(d.Links, linkView{
			URL:    defangURL(l.URL),
			Domain: defangHost(l.Domain),
			Via:    l.Via,
			Source: defangText(l.Source),
			New:    l.New,
		})
		if l.New && l.Domain != "" {
			newDomains[defangHost(l.Domain)] = true
		}
	}
	for dom := range newDomains {
		d.NewDomains = append(d.NewDomains, dom)
	}
	sort.Strings(d.NewDomains)

	for _, qr := range e.QRCodes {
		v := qrView{Text: defangText(qr.Text), Source: defangText(qr.Source)}
		if !qr.Region.Empty() {
			v.Region = qr.Region.String()
		}
		d.QRCodes = append(d.QRCodes, v)
	}

	// A missing raw message still leaves the verdict worth reviewing, so
	// it is reported on the page rather than failing it.
	raw, err := s.q.Raw(ctx, e.ID)
	if err != nil {
		s.log.Warn("web: read raw message failed", "id", e.ID, "err", err)
		d.RawProblem = "The stored message could not be read, so its headers and text are not shown."
	} else {
		d.Message = viewMessage(raw)
	}

	d.Audit, err = s.q.Audit(ctx, e.ID)
	if err != nil {
		return d, err
	}

	// The label stays on the page as text when its campaign cannot be
	// found, so a store failure costs only the link.
	if e.Campaign != "" {
		d.CampaignText = labelText(e.Campaign)
		if d.CampaignID, err = s.campaignOfEntry(ctx, e); err != nil {
			s.log.Warn("web: find campaign of entry failed", "id", e.ID, "err", err)
		}
	}
	return d, nil
}
