package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/holdfast/holdfast/web"
)

// webShutdownTimeout bounds how long serve waits for review page requests
// in flight when it stops. Arbitrary: chosen so that a slow client cannot
// hold up a stop for long.
const webShutdownTimeout = 5 * time.Second

// webStore is the part of the history store that the review pages read:
// staff accounts, sessions and campaigns. *store.Store implements it.
type webStore interface {
	web.Accounts
	web.Campaigns
}

// startWeb serves the review pages beside the milter when [web] listen is
// not "", and returns the function that stops them. A failure to start is
// logged at error level and leaves the milter running, because mail must
// keep flowing whether or not staff can review it.
func startWeb(cfg *Config, q web.Quarantine, history webStore, log *slog.Logger) (stop func()) {
	noop := func() {}
	if !cfg.Web.Enabled() {
		log.Info("web: review pages off: [web] listen is empty")
		return noop
	}
	srv, err := web.New(cfg.Web, q, history, history, log)
	if err != nil {
		log.Error("web: review pages not started", "err", err)
		return noop
	}
	addr := cfg.Web.Addr()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Error("web: review pages not started", "listen", addr, "err", err)
		return noop
	}
	hs := srv.HTTPServer()
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("web: review pages stopped", "err", err)
		}
	}()
	log.Info("web: review pages listening", "listen", ln.Addr().String())

	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), webShutdownTimeout)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			log.Warn("web: review pages did not stop cleanly", "err", err)
		}
	}
}
