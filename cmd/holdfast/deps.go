package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/holdfast/holdfast/sender"
	"github.com/holdfast/holdfast/sender/dnsclient"
	"github.com/holdfast/holdfast/sender/geo"
	"github.com/holdfast/holdfast/store"
)

// deps are the long-lived collaborators of the pipeline that hold files or
// connections: the history store, the geo databases and the resolver.
type deps struct {
	history *store.Store
	geo     *geo.DB
	checker *sender.Checker
}

// depsMode says how much of the outside world a command may touch.
type depsMode int

const (
	// depsServe opens (and creates) the store and resolves through the
	// configured DNS servers.
	depsServe depsMode = iota
	// depsScanOffline makes no DNS lookups and opens the store only when
	// its file exists, so scanning a file neither creates a database nor
	// sends a query.
	depsScanOffline
	// depsScanOnline is depsScanOffline with DNS lookups.
	depsScanOnline
	// depsLearn opens (and creates) the store and makes no DNS lookups:
	// importing past mail needs no authentication results.
	depsLearn
)

// openDeps builds the sender checker and its store, geo and DNS sources.
func openDeps(ctx context.Context, cfg *Config, mode depsMode) (*deps, error) {
	d := &deps{}
	var err error
	if mode == depsServe || mode == depsLearn || storeExists(cfg.Store) {
		if d.history, err = store.Open(ctx, cfg.Store); err != nil {
			return nil, err
		}
	}
	if d.geo, err = geo.Open(cfg.Geo); err != nil {
		d.close()
		return nil, err
	}
	table, err := cfg.Geo.Table()
	if err != nil {
		d.close()
		return nil, err
	}
	hosting, err := geo.NewHosting(cfg.Geo)
	if err != nil {
		d.close()
		return nil, err
	}

	sd := sender.Deps{Geo: geo.Layered{table, d.geo}, Hosting: hosting}
	if table == nil {
		sd.Geo = d.geo
	}
	if d.history != nil {
		sd.History = d.history
	}
	if mode == depsServe || mode == depsScanOnline {
		if sd.Resolver, err = dnsclient.New(cfg.DNS); err != nil {
			d.close()
			return nil, err
		}
	}
	if d.checker, err = sender.New(cfg.Sender, sd); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// storeExists reports whether the configured SQLite file is there already.
func storeExists(c store.Config) bool {
	if c.Driver != "" && c.Driver != "sqlite" {
		return true
	}
	_, err := os.Stat(c.DSN)
	return !errors.Is(err, fs.ErrNotExist)
}

func (d *deps) close() error {
	var errs []error
	if d.history != nil {
		errs = append(errs, d.history.Close())
	}
	if d.geo != nil {
		errs = append(errs, d.geo.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("closing: %w", err)
	}
	return nil
}
