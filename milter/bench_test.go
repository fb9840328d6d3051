package milter

import (
	"context"
	"testing"
)

// trivialHandler accepts every message with one added header.
type trivialHandler struct{}

func (trivialHandler) Judge(context.Context, *Message) (Decision, error) {
	return Decision{Headers: []Field{{"X-Holdfast-Verdict", "accept"}}}, nil
}

// BenchmarkConversation runs one whole milter conversation per iteration
// over loopback TCP: dial, negotiate, CONNECT, HELO, a small message, QUIT.
func BenchmarkConversation(b *testing.B) {
	ts := startServer(b, Config{}, trivialHandler{})
	m := simpleMessage(1)
	b.ReportAllocs()
	for b.Loop() {
		f := dialMTA(b, "tcp", ts.addr)
		f.negotiate()
		f.connect("unknown", "192.0.2.7", 40123)
		f.helo("client.example")
		if r := f.sendMessage(m); r.final.code != 'c' {
			b.Fatalf("reply = %v, want continue", r.final)
		}
		f.quit()
		f.conn.Close()
	}
}
