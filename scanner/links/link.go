package links

import (
	"errors"
	"net/url"
	"strconv"
)

// errNotWeb means a URL is valid but its scheme is not http, https or ftp.
var errNotWeb = errors.New("links: scheme is not http, https or ftp")

// makeLink normalises raw against base and returns it as a Link, with the
// anomalies that apply to it. It fails for schemes other than http, https
// and ftp.
func makeLink(raw string, base *url.URL, via, source string) (Link, []Anomaly, error) {
	u, flags, err := normalize(raw, base)
	if err != nil {
		return Link{}, nil, err
	}
	switch u.Scheme {
	case "http", "https", "ftp":
	default:
		return Link{}, nil, errNotWeb
	}

	l := Link{
		URL:    u.String(),
		Host:   u.Hostname(),
		Via:    via,
		Source: source,
	}
	l.Domain = RegistrableDomain(l.Host)

	var found []Anomaly
	if flags.userinfo {
		l.Flags = append(l.Flags, AnomalyUserinfo)
		found = append(found, Anomaly{
			Name:   AnomalyUserinfo,
			Detail: quoteDetail(u.User.Username()) + " before host " + l.Host,
		})
	}
	if flags.numericIP {
		l.Flags = append(l.Flags, AnomalyNumericHost)
		found = append(found, Anomaly{
			Name:   AnomalyNumericHost,
			Detail: quoteDetail(raw) + " is " + l.Host,
		})
	}
	return l, found, nil
}

// quoteDetail quotes s for an anomaly detail, cut to maxQuotedInput bytes.
func quoteDetail(s string) string {
	return strconv.Quote(quoteCut(s))
}
