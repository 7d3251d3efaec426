package main

import (
	"bytes"
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
	archive          *article.ArchiveReader
	// inspect keeps the quality gate's verdict as data (extract).
	inspect bool
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
	_, o.reader, o.archive = readers(cfg, newLogger(cfg, stderr, true, getenv))
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
// A walled or blocked link is read from an archived copy when one exists.
// With inspect (precis extract) the quality gate's verdict is data on the
// article, not an error, and no archive is asked.
func (o *oneShot) read(ctx context.Context, input string, stdin io.Reader) (*article.Article, error) {
	if isURL(input) {
		if o.inspect {
			return o.reader.Inspect(ctx, input)
		}
		return o.archive.Read(ctx, input)
	}
	if scheme, _, ok := strings.Cut(input, "://"); ok && !strings.ContainsAny(scheme, `/\.`) {
		return nil, fmt.Errorf("%s: %w (only http and https links are read)", input, article.ErrBadURL)
	}
	var body []byte
	var err error
	// A PDF may be larger than a page (PDF_MAX_BYTES); the reader holds
	// each kind to its own limit.
	limit := max(o.cfg.FetchMaxBytes, o.cfg.PDFMaxBytes)
	if input == "-" {
		body, err = io.ReadAll(io.LimitReader(stdin, limit+1))
	} else {
		body, err = readFile(input, limit)
	}
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > o.cfg.FetchMaxBytes && !isPDF(body) {
		return nil, fmt.Errorf("read %s: %w", input, &article.TooLargeError{Limit: o.cfg.FetchMaxBytes})
	}
	var a *article.Article
	if o.inspect {
		a, err = o.reader.InspectBytes(body, o.pageURL, contentTypeFor(input))
	} else {
		a, err = o.reader.ReadBytes(body, o.pageURL, contentTypeFor(input))
	}
	if err != nil {
		return nil, &fileError{path: input, err: err}
	}
	return a, nil
}

// fileError is a failure to read a local file or standard input as an
// article; its explanation speaks of a file, not a link.
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// isPDF reports whether body is a PDF document.
func isPDF(body []byte) bool { return bytes.HasPrefix(body, []byte("%PDF-")) }

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
	o.inspect = true
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
	var fe *fileError
	if errors.As(err, &fe) && article.IsPipelineError(fe.err) {
		// A local file is not a link: say "file" where the reason says link.
		return strings.NewReplacer("this link", "this file", "that link", "that file", "the link", "the file").Replace(article.Explain(fe.err))
	}
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
