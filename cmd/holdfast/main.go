// Command holdfast is a mail-gateway scanning service. It runs as a milter
// behind Postfix or Sendmail (holdfast serve), scans files the same way from
// the command line (holdfast scan), and checks its configuration
// (holdfast check-config).
//
// This package only wires flags and configuration to the packages that do
// the work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/holdfast/holdfast/milter"
)

const usage = `usage: holdfast COMMAND [flags]

commands:
  serve          run the milter and the review pages (flags: --config FILE)
  scan           scan message or attachment files and print the verdict
  learn          import past mail (mbox, Maildir, .eml) into the history
  check-config   validate a config file and print the effective config
  quarantine     list, show, release or delete held messages
  user           add, change, delete or list review page accounts
  campaign       list campaigns, show their members, release or delete them
  blocklist      list the blocked senders and domains, or remove one

Run "holdfast COMMAND -h" for a command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = runServe(os.Args[2:])
	case "scan":
		err = runScan(os.Args[2:], os.Stdin, os.Stdout)
	case "campaign":
		err = runCampaign(os.Args[2:], os.Stdout)
	case "learn":
		err = runLearn(os.Args[2:], os.Stdout)
	case "user":
		err = runUser(os.Args[2:], os.Stdin, os.Stdout)
	case "quarantine":
		err = runQuarantine(os.Args[2:], os.Stdout)
	case "blocklist":
		err = runBlocklist(os.Args[2:], os.Stdout)
	case "check-config":
		err = runCheckConfig(os.Args[2:], os.Stdout)
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "holdfast: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "holdfast %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func runCheckConfig(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	path := fs.String("config", "", "config file (TOML) to check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("--config FILE is required")
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "# %s is valid; effective configuration:\n%s", *path, cfg.effective())
	return nil
}

func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	path := fs.String("config", "", "config file (TOML); without it, safe defaults on loopback")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log)
	log.Info("starting", "config", *path, "effective", cfg.effective())

	d, err := openDeps(context.Background(), cfg, depsServe)
	if err != nil {
		return err
	}
	defer d.close()
	q, err := newQuarantine(cfg, d.history, log)
	if err != nil {
		return err
	}
	defer startWeb(cfg, q, d.history, log)()
	p := newPipeline(cfg, log, d)
	p.quarantine = q
	p.metrics = newMetrics()
	defer startMetrics(cfg.Metrics.Listen, p.metrics, log)()
	if p.cross, err = newCrossMessage(cfg, d.history); err != nil {
		return err
	}
	cfg.Milter.OwnHeaders = ownHeaders
	srv, err := milter.New(cfg.Milter, p, log)
	if err != nil {
		return err
	}
	ln, err := srv.Listen()
	if err != nil {
		return err
	}

	// SIGTERM and SIGINT stop accepting connections and let sessions in
	// flight finish, up to the drain timeout.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go purgeLoop(ctx, q, time.Duration(cfg.Quarantine.PurgeInterval), log)
	go maintenanceLoop(ctx, cfg, d.history, log)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		return fmt.Errorf("milter stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("stopping: draining sessions", "drain_timeout", time.Duration(cfg.Milter.DrainTimeout))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Duration(cfg.Milter.DrainTimeout))
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("drain incomplete", "err", err)
		return nil
	}
	log.Info("stopped")
	return nil
}
