package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/config"
)

// oneShot holds what extract and summarize share: flags, config, and the
// article reader.
type oneShot struct {
	jsonOut bool
	pageURL string
	// length and language are summarize's --length and --language.
	length, language string
	inputs           []string
	cfg              *config.Config
	reader           *article.Reader
}

// parseOneShot parses flags that may stand before or between the inputs.
func parseOneShot(name string, args []string, stderr io.Writer, getenv func(string) string, many bool) (*oneShot, error) {
	o := &oneShot{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.jsonOut, "json", false, "print JSON")
	fs.StringVar(&o.pageURL, "url", "", "the page's address when reading a file or standard input")
	if name == "summarize" {
		fs.StringVar(&o.length, "length", "", "short, normal or detailed")
		fs.StringVar(&o.language, "language", "", "summary language code, e.g. en or de")
	}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{err.Error() + "; valid flags: " + flagList(fs)}
		}
		if fs.NArg() == 0 {
			break
		}
		o.inputs = append(o.inputs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(o.inputs) == 0:
		return nil, usageError{"give a URL, a FILE or - for standard input"}
	case len(o.inputs) > 1 && !many:
		return nil, usageError{"give one URL, FILE or -"}
	case len(o.inputs) > 1 && o.pageURL != "":
		return nil, usageError{"--url goes with a single input"}
	}
	switch o.length {
	case "", "short", "normal", "detailed":
	default:
		return nil, usageError{fmt.Sprintf("--length %q: use short, normal or detailed", o.length)}
	}
	if o.pageURL != "" {
		if _, err := article.ParseURL(o.pageURL); err != nil {
			return nil, usageError{fmt.Sprintf("--url %q is not an http(s) URL", o.pageURL)}
		}
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	o.cfg = cfg
	fetcher := article.NewFetcher(article.FetchOptions{
		Timeout:      cfg.FetchTimeout,
		MaxBytes:     cfg.FetchMaxBytes,
		AllowPrivate: cfg.FetchAllowPrivate,
	})
	o.reader = article.NewReader(fetcher, config.DefaultMinWords)
	return o, nil
}

// flagList names a command's flags the way its usage line does:
// "--json, --url URL, ...".
func flagList(fs *flag.FlagSet) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) {
		name := "--" + f.Name
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); !isBool {
			name += " " + flagArg[f.Name]
		}
		names = append(names, name)
	})
	return strings.Join(names, ", ")
}

// flagArg is what each value flag takes, for flagList.
var flagArg = map[string]string{
	"url":      "URL",
	"length":   "short|normal|detailed",
	"language": "CODE",
}

// read turns one input (a URL, a file, or - for stdin) into an article.
func (o *oneShot) read(ctx context.Context, input string, stdin io.Reader) (*article.Article, error) {
	if isURL(input) {
		return o.reader.Read(ctx, input)
	}
	if scheme, _, ok := strings.Cut(input, "://"); ok && !strings.ContainsAny(scheme, `/\.`) {
		return nil, fmt.Errorf("%s: %w (only http and https links are read)", input, article.ErrBadURL)
	}
	var body []byte
	var err error
	if input == "-" {
		body, err = io.ReadAll(io.LimitReader(stdin, o.cfg.FetchMaxBytes+1))
	} else {
		body, err = readFile(input, o.cfg.FetchMaxBytes)
	}
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > o.cfg.FetchMaxBytes {
		return nil, fmt.Errorf("read %s: %w", input, article.ErrTooLarge)
	}
	return o.reader.ReadBytes(body, o.pageURL, contentTypeFor(input))
}

// errHelp asks for the usage text; it exits 0.
var errHelp = errors.New("help requested")

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file (give an http(s) URL, a FILE or -)", path)
		}
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// contentTypeFor guesses from a file name; "" lets the reader sniff.
func contentTypeFor(name string) string {
	l := strings.ToLower(name)
	if strings.HasSuffix(l, ".txt") || strings.HasSuffix(l, ".md") {
		return "text/plain"
	}
	return ""
}

func runExtract(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseOneShot("extract", args, stderr, getenv, true)
	if err != nil {
		return err
	}
	if len(o.inputs) == 1 {
		a, err := o.read(ctx, o.inputs[0], stdin)
		if err != nil {
			return err
		}
		if o.jsonOut {
			return json.NewEncoder(stdout).Encode(a)
		}
		fmt.Fprintf(stdout, "%s\n\n%s\n", a.Title, a.Text)
		return nil
	}
	// Several inputs: one result each, in order; the run fails if any did.
	enc := json.NewEncoder(stdout)
	failed := 0
	for _, in := range o.inputs {
		a, err := o.read(ctx, in, stdin)
		if err != nil {
			failed++
			if o.jsonOut {
				if err := enc.Encode(map[string]string{"error": userMessage(err)}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(stdout, "== %s\nerror: %s\n\n", in, userMessage(err))
			}
			continue
		}
		if o.jsonOut {
			if err := enc.Encode(a); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(stdout, "== %s\n%s\n\n%s\n\n", in, a.Title, a.Text)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs failed", failed, len(o.inputs))
	}
	return nil
}

// userMessage is the one line a person sees for err.
func userMessage(err error) string {
	if article.IsPipelineError(err) {
		return article.Explain(err)
	}
	var parts []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}
