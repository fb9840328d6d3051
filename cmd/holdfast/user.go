package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/holdfast/holdfast/store"
)

const userUsage = `usage: holdfast user add|passwd|delete|list --config FILE [--password-stdin] [NAME]

  add NAME      create a staff account of the review pages
  passwd NAME   set a new password and end the account's sessions
  delete NAME   delete the account and its sessions
  list          list the accounts

The password is read from the terminal without echo, or from the first
line of standard input with --password-stdin.
`

// runUser manages the staff accounts of the review pages in the store.
func runUser(args []string, stdin io.Reader, out io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(os.Stderr, userUsage)
		return flag.ErrHelp
	}
	verb := args[0]
	fs := flag.NewFlagSet("user "+verb, flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), userUsage) }
	path := fs.String("config", "", "config file (TOML) naming the store")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	names, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if *path == "" {
		return errors.New("--config FILE is required")
	}

	wantNames := 1
	if verb == "list" {
		wantNames = 0
	}
	switch verb {
	case "add", "passwd", "delete", "list":
	default:
		return fmt.Errorf("unknown subcommand %q: use add, passwd, delete or list", verb)
	}
	if len(names) != wantNames {
		return fmt.Errorf("%s takes %d user name, got %d: see holdfast user -h", verb, wantNames, len(names))
	}

	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Store)
	if err != nil {
		return err
	}
	defer st.Close()

	switch verb {
	case "list":
		return listUsers(ctx, st, out)
	case "delete":
		if err := st.DeleteUser(ctx, names[0]); err != nil {
			return err
		}
		fmt.Fprintf(out, "deleted user %s\n", names[0])
		return nil
	}

	password, err := readPassword(stdin, *fromStdin)
	if err != nil {
		return err
	}
	done := "added user"
	if verb == "add" {
		err = st.AddUser(ctx, names[0], password, time.Now())
	} else {
		done = "set the password of user"
		err = st.SetPassword(ctx, names[0], password, time.Now())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %s\n", done, names[0])
	return nil
}

// parseInterleaved parses flags that may come before or after the
// positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func listUsers(ctx context.Context, st *store.Store, out io.Writer) error {
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED\tPASSWORD SET")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Name,
			u.Created.Format(time.RFC3339), u.Updated.Format(time.RFC3339))
	}
	return tw.Flush()
}

// readPassword reads the password from the first line of stdin, or asks
// for it twice on the terminal without echo.
func readPassword(stdin io.Reader, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from standard input: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", errors.New("no password on standard input: write it on the first line")
		}
		return line, nil
	}

	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("standard input is not a terminal: use --password-stdin to read the password from it")
	}
	fmt.Fprint(os.Stderr, "Password: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(os.Stderr, "Repeat password: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if string(first) != string(second) {
		return "", errors.New("the passwords differ: run the command again")
	}
	return string(first), nil
}
