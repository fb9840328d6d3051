package trace

import (
	"net/netip"
	"strings"
)

// AuthResults is one parsed Authentication-Results field.
type AuthResults struct {
	// AuthservID names the host that performed the checks. A reader
	// should trust the field only when it runs or trusts that host.
	AuthservID string `json:"authserv_id"`
	// Results lists the method results in field order; empty for "none".
	Results []AuthResult `json:"results,omitempty"`
}

// AuthResult is one method's result, such as "spf=pass
// smtp.mailfrom=example.org".
type AuthResult struct {
	// Method is the lower-case method name without its version: "spf",
	// "dkim", "dmarc", "auth", "iprev", "arc" or another.
	Method string `json:"method"`
	// Value is the lower-case result: "pass", "fail", "softfail",
	// "neutral", "none", "temperror", "permerror", "policy".
	Value string `json:"value"`
	// Reason is the reason's text, "" when absent.
	Reason string `json:"reason,omitempty"`
	// Props maps each lower-case "ptype.property" to its value, such as
	// "smtp.mailfrom" to "alice@example.org" or "header.d" to
	// "example.org".
	Props map[string]string `json:"props,omitempty"`
}

// Find returns the first result of method, and false when there is none.
func (a AuthResults) Find(method string) (AuthResult, bool) {
	for _, r := range a.Results {
		if r.Method == method {
			return r, true
		}
	}
	return AuthResult{}, false
}

// ParseAuthResults parses the body of one Authentication-Results field
// (RFC 8601 §2.2) leniently. Comments are dropped anywhere, and quoted
// strings may contain semicolons. A clause that does not start with
// "method=result" is skipped rather than ending the parse. White space
// around "=" is allowed.
//
// github.com/emersion/go-msgauth/authres is not used here because it
// splits at every semicolon, including those inside quoted strings, and
// stops at the first malformed clause.
func ParseAuthResults(body string) AuthResults {
	var a AuthResults
	clauses := splitClauses(lex(body, ";="))
	if len(clauses) == 0 {
		return a
	}
	// The first clause is the authserv-id and an optional version.
	for _, t := range clauses[0] {
		if t.kind == tokenWord || t.kind == tokenQuoted {
			a.AuthservID = strings.ToLower(t.text)
			break
		}
	}
	for _, clause := range clauses[1:] {
		if r, ok := parseResinfo(clause); ok {
			a.Results = append(a.Results, r)
		}
	}
	return a
}

// splitClauses drops comments and splits the tokens at each ";".
func splitClauses(tokens []token) [][]token {
	clauses := [][]token{nil}
	for _, t := range tokens {
		switch {
		case t.kind == tokenComment:
		case t.kind == tokenSpecial && t.text == ";":
			clauses = append(clauses, nil)
		default:
			last := len(clauses) - 1
			clauses[last] = append(clauses[last], t)
		}
	}
	return clauses
}

// pairs returns the "key=value" pairs of a clause in order. A token that
// is not part of a pair is returned as a key with no value.
func pairs(clause []token) [][2]string {
	var out [][2]string
	for i := 0; i < len(clause); i++ {
		t := clause[i]
		if t.kind == tokenSpecial {
			continue
		}
		if i+2 < len(clause) && clause[i+1].kind == tokenSpecial && clause[i+1].text == "=" &&
			clause[i+2].kind != tokenSpecial {
			out = append(out, [2]string{t.text, clause[i+2].text})
			i += 2
			continue
		}
		out = append(out, [2]string{t.text, ""})
	}
	return out
}

func parseResinfo(clause []token) (AuthResult, bool) {
	kv := pairs(clause)
	if len(kv) == 0 || kv[0][1] == "" {
		return AuthResult{}, false
	}
	method, _, _ := strings.Cut(strings.ToLower(kv[0][0]), "/")
	r := AuthResult{Method: method, Value: strings.ToLower(kv[0][1])}
	for _, p := range kv[1:] {
		key := strings.ToLower(p[0])
		switch {
		case p[1] == "":
		case key == "reason":
			r.Reason = p[1]
		case strings.Contains(key, "."):
			if r.Props == nil {
				r.Props = map[string]string{}
			}
			if _, dup := r.Props[key]; !dup {
				r.Props[key] = p[1]
			}
		}
	}
	return r, true
}

// ReceivedSPF is one parsed Received-SPF field.
type ReceivedSPF struct {
	// Result is the lower-case SPF result: "pass", "fail", "softfail",
	// "neutral", "none", "temperror" or "permerror".
	Result string `json:"result"`
	// Comment is the first comment's text, "" when absent.
	Comment string `json:"comment,omitempty"`
	// Params maps each lower-case key ("client-ip", "envelope-from",
	// "helo", "receiver", "identity", "problem", "mechanism") to its
	// value.
	Params map[string]string `json:"params,omitempty"`
}

// Receiver returns the host that performed the check: the receiver key,
// else the host name before the colon that conventionally opens the
// comment ("mx.example.org: domain of ..."), else "".
func (r ReceivedSPF) Receiver() string {
	if v := r.Params["receiver"]; v != "" {
		return strings.ToLower(v)
	}
	host, _, ok := strings.Cut(r.Comment, ":")
	if !ok || strings.ContainsAny(host, " \t") {
		return ""
	}
	return strings.ToLower(host)
}

// ClientIP returns the client-ip key's address, invalid when absent.
func (r ReceivedSPF) ClientIP() netip.Addr {
	ip, err := netip.ParseAddr(r.Params["client-ip"])
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// ParseReceivedSPF parses the body of one Received-SPF field (RFC 7208
// §9.1) leniently: the result, the first comment and every "key=value"
// pair, whether or not the pairs are separated by semicolons.
func ParseReceivedSPF(body string) ReceivedSPF {
	var r ReceivedSPF
	tokens := lex(body, ";=")
	var rest []token
	for _, t := range tokens {
		switch {
		case t.kind == tokenComment:
			if r.Comment == "" {
				r.Comment = strings.TrimSpace(t.text)
			}
		case r.Result == "" && t.kind == tokenWord:
			r.Result = strings.ToLower(t.text)
		default:
			rest = append(rest, t)
		}
	}
	for _, p := range pairs(rest) {
		if p[1] == "" {
			continue
		}
		if r.Params == nil {
			r.Params = map[string]string{}
		}
		key := strings.ToLower(p[0])
		if _, dup := r.Params[key]; !dup {
			r.Params[key] = p[1]
		}
	}
	return r
}
