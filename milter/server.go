package milter

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	gomilter "github.com/emersion/go-milter"
)

// writeTimeout bounds one write to the MTA. It is Postfix's default
// milter_command_timeout (30 s): a reply the MTA has not read by then is no
// longer awaited.
const writeTimeout = 30 * time.Second

// staleSocketProbe bounds the connect that checks whether a unix socket
// left on disk still has a server behind it. A local connect completes at
// once, so the value is arbitrary beyond that.
const staleSocketProbe = time.Second

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("milter: server closed")

// symList lists the macros requested from the MTA per stage
// (SMFIF_SETSYMLIST). It replaces the MTA's default list for each stage
// named here. The end-of-message list repeats the client and login
// macros, so a session that missed CONNECT or MAIL still receives them.
var symList = map[gomilter.Stage][]string{
	gomilter.StageConnect: {"j", "{client_addr}", "{client_name}", "{client_port}",
		"{daemon_name}", "{daemon_addr}"},
	gomilter.StageHelo:     {"{tls_version}", "{cipher}", "{cipher_bits}", "{cert_subject}", "{cert_issuer}"},
	gomilter.StageMailFrom: {"{auth_authen}", "{auth_type}", "{mail_addr}"},
	gomilter.StageRcptTo:   {"{rcpt_addr}"},
	gomilter.StageEOM:      {"i", "{auth_authen}", "{client_addr}", "{client_name}", "{daemon_name}"},
}

// Server accepts MTA connections and runs one session per connection.
type Server struct {
	cfg     Config
	handler Handler
	log     *slog.Logger

	// baseCtx parents every Judge context; Shutdown cancels it once the
	// drain timeout has passed.
	baseCtx context.Context
	cancel  context.CancelFunc

	mu        sync.Mutex
	closing   bool
	listeners []net.Listener
	conns     map[*trackedConn]struct{}
	active    int           // open connections plus running Judge calls
	drained   chan struct{} // closed when active drops to 0 during Shutdown
}

// New checks cfg and returns a Server that passes each message to h. A nil
// log discards log lines.
func New(cfg Config, h Handler, log *slog.Logger) (*Server, error) {
	if h == nil {
		return nil, errors.New("milter: handler is nil")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		cfg:     cfg.WithDefaults(),
		handler: h,
		log:     log,
		baseCtx: ctx,
		cancel:  cancel,
		conns:   make(map[*trackedConn]struct{}),
	}, nil
}

// Config returns the effective configuration, defaults filled in.
func (s *Server) Config() Config {
	return s.cfg
}

// Listen opens the configured listen address. For a unix socket it first
// removes a stale socket file (one no server accepts on), and afterwards
// sets socket_mode on the new one.
func (s *Server) Listen() (net.Listener, error) {
	network, address, err := parseListen(s.cfg.Listen)
	if err != nil {
		return nil, err
	}
	if network == "tcp" {
		ln, err := net.Listen(network, address)
		if err != nil {
			return nil, fmt.Errorf("milter: listen %s: %w", s.cfg.Listen, err)
		}
		return ln, nil
	}

	if err := removeStaleSocket(address); err != nil {
		return nil, err
	}
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, fmt.Errorf("milter: listen %s: %w", s.cfg.Listen, err)
	}
	mode, _ := parseSocketMode(s.cfg.SocketMode) // checked in New
	if err := os.Chmod(address, mode); err != nil {
		ln.Close()
		return nil, fmt.Errorf("milter: set socket_mode %s on %s: %w", s.cfg.SocketMode, address, err)
	}
	return ln, nil
}

// removeStaleSocket deletes path if it is a unix socket with no server
// behind it. Anything else at path is left alone and reported.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("milter: check socket %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("milter: %s exists and is not a socket: remove it or choose another listen path", path)
	}

	conn, err := net.DialTimeout("unix", path, staleSocketProbe)
	if err == nil {
		conn.Close()
		return fmt.Errorf("milter: socket %s is in use by another server", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("milter: remove stale socket %s: %w", path, err)
	}
	return nil
}

// Serve runs sessions for connections accepted on ln until Shutdown or an
// accept error. After Shutdown it returns ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	tl := &trackingListener{Listener: ln, srv: s}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners = append(s.listeners, tl)
	s.mu.Unlock()

	gm := &gomilter.Server{
		NewMilter: func() gomilter.Milter { return newSession(s) },
		Actions: gomilter.OptAddHeader | gomilter.OptChangeHeader | gomilter.OptQuarantine |
			gomilter.OptSetSymList,
		// No protocol flags: every event is wanted, and every event gets a
		// reply (no SMFIP_NR_* flags), which go-milter requires.
		Protocol: 0,
		SymList:  symList,
	}
	s.log.Info("milter listening", "addr", ln.Addr().String())
	err := gm.Serve(tl)

	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing {
		return ErrServerClosed
	}
	return fmt.Errorf("milter: serve %s: %w", ln.Addr(), err)
}

// Shutdown stops accepting connections and waits for open sessions and
// running Judge calls to finish, for at most drain_timeout or until ctx is
// done. Then it closes what is left, cancels the Judge contexts and
// returns an error saying how many were still open.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	var errs []error
	for _, ln := range s.listeners {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("milter: close listener: %w", err))
		}
	}
	s.listeners = nil
	drained := make(chan struct{})
	if s.active == 0 {
		close(drained)
	} else {
		s.drained = drained
	}
	s.mu.Unlock()

	drain := time.Duration(s.cfg.DrainTimeout)
	ctx, cancel := context.WithTimeout(ctx, drain)
	defer cancel()
	select {
	case <-drained:
		s.cancel()
		return errors.Join(errs...)
	case <-ctx.Done():
	}

	s.mu.Lock()
	open := s.active
	for c := range s.conns {
		c.Conn.Close()
	}
	s.mu.Unlock()
	s.cancel()
	errs = append(errs, fmt.Errorf("milter: shutdown: %d sessions or judge calls still open after drain_timeout %s or caller deadline: %w",
		open, drain, ctx.Err()))
	return errors.Join(errs...)
}

// track counts open connections and running Judge calls for Shutdown.
func (s *Server) track(delta int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active += delta
	if s.active == 0 && s.drained != nil {
		close(s.drained)
		s.drained = nil
	}
}

// trackingListener wraps every accepted connection in a trackedConn.
type trackingListener struct {
	net.Listener
	srv *Server
}

func (l *trackingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &trackedConn{Conn: conn, srv: l.srv}
	l.srv.mu.Lock()
	l.srv.conns[c] = struct{}{}
	l.srv.active++
	l.srv.mu.Unlock()
	return c, nil
}

// trackedConn applies idle_timeout and writeTimeout to every read and write,
// and notifies the Server when go-milter closes it.
type trackedConn struct {
	net.Conn
	srv       *Server
	closeOnce sync.Once
}

func (c *trackedConn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(time.Duration(c.srv.cfg.IdleTimeout))); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *trackedConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() {
		c.srv.mu.Lock()
		delete(c.srv.conns, c)
		c.srv.mu.Unlock()
		c.srv.track(-1)
	})
	return err
}
