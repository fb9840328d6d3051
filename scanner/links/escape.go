package links

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

var errIPv4 = errors.New("invalid IPv4 address")

// endsInNumber reports whether the last label of host is a number, which
// makes the whole host an IPv4 address under the URL Standard.
func endsInNumber(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		return isHexDigits(last[2:])
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

// parseIPv4 reads one to four parts, each decimal, hex ("0x") or octal
// (leading "0"), the way inet_aton and browsers do: "0x7f.1" and
// "2130706433" both mean 127.0.0.1.
func parseIPv4(host string) (netip.Addr, error) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, errIPv4
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, err := parseIPv4Part(p)
		if err != nil {
			return netip.Addr{}, err
		}
		nums[i] = n
	}

	// Every part but the last is one byte and the last fills the rest.
	var v uint64
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, errIPv4
		}
		v = v<<8 | n
	}
	lastBits := 8 * uint(5-len(nums))
	last := nums[len(nums)-1]
	if last >= 1<<lastBits {
		return netip.Addr{}, errIPv4
	}
	v = v<<lastBits | last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), nil
}

func parseIPv4Part(p string) (uint64, error) {
	base := 10
	switch {
	case strings.HasPrefix(p, "0x"):
		p, base = p[2:], 16
		if p == "" {
			return 0, nil
		}
	case len(p) > 1 && p[0] == '0':
		p, base = p[1:], 8
	case p == "":
		return 0, errIPv4
	}
	n, err := strconv.ParseUint(p, base, 32)
	if err != nil {
		return 0, errIPv4
	}
	return n, nil
}

func isHexDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if unhex(s[i]) < 0 {
			return false
		}
	}
	return true
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// percentDecode decodes each valid "%XX" and keeps any other "%" as it is,
// as browsers do.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && unhex(s[i+1]) >= 0 && unhex(s[i+2]) >= 0 {
			b.WriteByte(byte(unhex(s[i+1])<<4 | unhex(s[i+2])))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// fixPercentEscapes turns each "%" that does not start a valid "%XX" into
// "%25", because net/url rejects such a URL and browsers keep the "%".
func fixPercentEscapes(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && !(i+2 < len(s) && unhex(s[i+1]) >= 0 && unhex(s[i+2]) >= 0) {
			b.WriteString("%25")
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
