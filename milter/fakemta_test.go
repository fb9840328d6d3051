package milter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// ioDeadline stops a broken test from hanging forever. It is a safety net,
// not an assertion: no test checks how long anything took.
const ioDeadline = 60 * time.Second

// packet is one milter packet: a command code and its payload.
type packet struct {
	code byte
	data []byte
}

func (p packet) String() string {
	return fmt.Sprintf("%c %q", p.code, p.data)
}

// fakeMTA is the MTA side of the milter protocol, as Postfix speaks it with
// protocol version 6, recording every reply.
type fakeMTA struct {
	t    testing.TB
	conn net.Conn
	rd   *bufio.Reader
}

func dialMTA(t testing.TB, network, addr string) *fakeMTA {
	t.Helper()
	conn, err := net.Dial(network, addr)
	if err != nil {
		t.Fatalf("dial %s %s: %v", network, addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(ioDeadline))
	return &fakeMTA{t: t, conn: conn, rd: bufio.NewReader(conn)}
}

func encodePacket(code byte, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)+1))
	b = append(b, code)
	return append(b, data...)
}

func (f *fakeMTA) send(code byte, data []byte) {
	f.t.Helper()
	if _, err := f.conn.Write(encodePacket(code, data)); err != nil {
		f.t.Fatalf("send %c: %v", code, err)
	}
}

func (f *fakeMTA) read() (packet, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(f.rd, hdr[:]); err != nil {
		return packet{}, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 || n > 1<<20 {
		return packet{}, fmt.Errorf("bad reply length %d", n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(f.rd, buf); err != nil {
		return packet{}, err
	}
	return packet{code: buf[0], data: buf[1:]}, nil
}

func (f *fakeMTA) mustRead(what string) packet {
	f.t.Helper()
	p, err := f.read()
	if err != nil {
		f.t.Fatalf("read reply to %s: %v", what, err)
	}
	return p
}

// command sends one command and requires a CONTINUE reply.
func (f *fakeMTA) command(code byte, data []byte) {
	f.t.Helper()
	f.send(code, data)
	if p := f.mustRead(string(code)); p.code != 'c' {
		f.t.Fatalf("reply to %c = %v, want continue", code, p)
	}
}

// negotiation is the milter's OPTNEG reply.
type negotiation struct {
	version, actions, protocol uint32
	symList                    map[uint32]string
}

// negotiate offers what Postfix 3.7 offers: version 6, every action and
// every protocol flag.
func (f *fakeMTA) negotiate() negotiation {
	f.t.Helper()
	var offer []byte
	offer = binary.BigEndian.AppendUint32(offer, 6)
	offer = binary.BigEndian.AppendUint32(offer, 0x1ff)
	offer = binary.BigEndian.AppendUint32(offer, 0x1fffff)
	f.send('O', offer)
	p := f.mustRead("optneg")
	if p.code != 'O' || len(p.data) < 12 {
		f.t.Fatalf("optneg reply = %v, want O with 12 bytes or more", p)
	}
	n := negotiation{
		version:  binary.BigEndian.Uint32(p.data[0:]),
		actions:  binary.BigEndian.Uint32(p.data[4:]),
		protocol: binary.BigEndian.Uint32(p.data[8:]),
		symList:  make(map[uint32]string),
	}
	rest := p.data[12:]
	for len(rest) >= 4 {
		stage := binary.BigEndian.Uint32(rest)
		list, tail, _ := bytes.Cut(rest[4:], []byte{0})
		n.symList[stage] = string(list)
		rest = tail
	}
	return n
}

// macros sends a macro packet for the command code stage.
func (f *fakeMTA) macros(stage byte, kv ...string) {
	data := []byte{stage}
	for _, s := range kv {
		data = append(append(data, s...), 0)
	}
	f.send('D', data)
}

func (f *fakeMTA) connect(host, ip string, port uint16) {
	f.t.Helper()
	f.macros('C', "j", "mx.test", "{client_addr}", ip, "{daemon_name}", "smtpd-in")
	data := append([]byte(host), 0, '4')
	data = binary.BigEndian.AppendUint16(data, port)
	data = append(append(data, ip...), 0)
	f.command('C', data)
}

func (f *fakeMTA) helo(name string) {
	f.t.Helper()
	f.macros('H')
	f.command('H', append([]byte(name), 0))
}

// testMessage is one message as the fake MTA sends it.
type testMessage struct {
	queueID string
	from    string
	rcpts   []string
	headers []Field
	body    [][]byte // chunks
	// eomMacros are extra name/value pairs for the EOM macro packet.
	eomMacros []string
}

// eomResult is what the milter sent back at end of message.
type eomResult struct {
	added      []Field
	changed    []headerChange
	quarantine string
	final      packet
}

// headerChange is one SMFIR_CHGHEADER: a per-name index, a name and a new
// value ("" deletes the field).
type headerChange struct {
	index uint32
	name  string
	value string
}

// sendEnvelope sends MAIL, RCPT, headers, EOH and body, but not EOM.
func (f *fakeMTA) sendEnvelope(m testMessage) {
	f.t.Helper()
	f.macros('M', "{mail_addr}", m.from, "{auth_authen}", "")
	f.command('M', append([]byte("<"+m.from+">"), 0))
	for _, r := range m.rcpts {
		f.macros('R', "{rcpt_addr}", r)
		f.command('R', append([]byte("<"+r+">"), 0))
	}
	for _, h := range m.headers {
		f.macros('L', "i", m.queueID)
		f.command('L', append(append(append([]byte(h.Name), 0), h.Value...), 0))
	}
	f.macros('N', "i", m.queueID)
	f.command('N', nil)
	for _, chunk := range m.body {
		f.macros('B', "i", m.queueID)
		f.command('B', chunk)
	}
}

// sendMessage sends a whole message and collects the EOM replies.
func (f *fakeMTA) sendMessage(m testMessage) eomResult {
	f.t.Helper()
	f.sendEnvelope(m)
	return f.eom(append([]string{"i", m.queueID}, m.eomMacros...)...)
}

func (f *fakeMTA) eom(macros ...string) eomResult {
	f.t.Helper()
	f.macros('E', macros...)
	f.send('E', nil)
	var r eomResult
	for {
		p := f.mustRead("eom")
		switch p.code {
		case 'h':
			name, value, _ := bytes.Cut(p.data, []byte{0})
			r.added = append(r.added, Field{string(name), string(bytes.TrimSuffix(value, []byte{0}))})
		case 'q':
			r.quarantine = string(bytes.TrimSuffix(p.data, []byte{0}))
		case 'm':
			idx := binary.BigEndian.Uint32(p.data)
			name, value, _ := bytes.Cut(p.data[4:], []byte{0})
			r.changed = append(r.changed, headerChange{idx, string(name), string(bytes.TrimSuffix(value, []byte{0}))})
		default:
			r.final = p
			return r
		}
	}
}

func (f *fakeMTA) abort() {
	f.send('A', nil)
}

func (f *fakeMTA) quit() {
	f.send('Q', nil)
	// The milter closes the connection without a reply.
	if p, err := f.read(); err == nil {
		f.t.Errorf("reply to quit = %v, want connection closed", p)
	}
}

// replyText returns the text of a SMFIR_REPLYCODE packet.
func replyText(p packet) string {
	if p.code != 'y' {
		return fmt.Sprintf("not a reply code: %v", p)
	}
	return string(bytes.TrimSuffix(p.data, []byte{0}))
}

// fakeHandler records every message and reports per-message state that
// leaked from an earlier message of the same connection.
type fakeHandler struct {
	decide func(ctx context.Context, m *Message) (Decision, error)

	mu    sync.Mutex
	msgs  []*Message
	seen  map[string][]string // conn_id → Message-IDs, recipients and queue ids so far
	leaks []string
}

func newFakeHandler(decide func(ctx context.Context, m *Message) (Decision, error)) *fakeHandler {
	if decide == nil {
		decide = func(context.Context, *Message) (Decision, error) { return Decision{}, nil }
	}
	return &fakeHandler{decide: decide, seen: make(map[string][]string)}
}

func (h *fakeHandler) Judge(ctx context.Context, m *Message) (Decision, error) {
	cp := *m
	cp.Raw = bytes.Clone(m.Raw)
	h.mu.Lock()
	h.msgs = append(h.msgs, &cp)
	h.checkLeaks(&cp)
	h.mu.Unlock()
	return h.decide(ctx, m)
}

// checkLeaks looks for anything of an earlier message in m.
func (h *fakeHandler) checkLeaks(m *Message) {
	var own []string
	for _, f := range m.Headers {
		if strings.EqualFold(f.Name, "Message-ID") {
			own = append(own, f.Value)
		}
	}
	own = append(own, m.Rcpts...)
	if m.QueueID != "" {
		own = append(own, m.QueueID)
	}
	for _, old := range h.seen[m.ConnID] {
		for _, mine := range own {
			if mine == old {
				h.leaks = append(h.leaks, fmt.Sprintf("message %s repeats %q", m.QueueID, old))
			}
		}
		if bytes.Contains(m.Raw, []byte(old)) {
			h.leaks = append(h.leaks, fmt.Sprintf("raw of message %s contains %q", m.QueueID, old))
		}
	}
	h.seen[m.ConnID] = append(h.seen[m.ConnID], own...)
}

func (h *fakeHandler) messages() []*Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*Message(nil), h.msgs...)
}

func (h *fakeHandler) checkNoLeaks(t testing.TB) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range h.leaks {
		t.Errorf("per-message state leaked: %s", l)
	}
}

// logBuffer collects JSON log lines from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records parses every line logged so far.
func (b *logBuffer) records(t testing.TB) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(b.buf.Bytes(), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

// find returns the records whose msg contains substr.
func (b *logBuffer) find(t testing.TB, substr string) []map[string]any {
	var out []map[string]any
	for _, r := range b.records(t) {
		if msg, _ := r["msg"].(string); strings.Contains(msg, substr) {
			out = append(out, r)
		}
	}
	return out
}

// testServer is a Server on a loopback port with its logs.
type testServer struct {
	srv  *Server
	addr string
	logs *logBuffer
}

func startServer(t testing.TB, cfg Config, h Handler) *testServer {
	t.Helper()
	if cfg.SpoolDir == "" {
		cfg.SpoolDir = t.TempDir()
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(cfg, h, log)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ioDeadline)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return &testServer{srv: srv, addr: ln.Addr().String(), logs: logs}
}

// open dials the server and runs negotiation, CONNECT and HELO.
func (ts *testServer) open(t testing.TB) *fakeMTA {
	t.Helper()
	f := dialMTA(t, "tcp", ts.addr)
	f.negotiate()
	f.connect("unknown", "192.0.2.7", 40123)
	f.helo("client.example")
	return f
}

// simpleMessage returns a small message numbered n.
func simpleMessage(n int) testMessage {
	return testMessage{
		queueID: fmt.Sprintf("QID%d", n),
		from:    fmt.Sprintf("sender%d@remote.test", n),
		rcpts:   []string{fmt.Sprintf("rcpt%d@example.test", n)},
		headers: []Field{
			{"From", fmt.Sprintf("sender%d@remote.test", n)},
			{"Subject", fmt.Sprintf("message %d", n)},
			{"Message-ID", fmt.Sprintf("<msg%d@remote.test>", n)},
		},
		body: [][]byte{[]byte(fmt.Sprintf("body of message %d\r\n", n))},
	}
}
