package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/render"
	"github.com/precisbot/precis/summarize"
)

// asker is what answers a question: *summarize.LLM and
// *summarize.Extractive.
type asker interface {
	Ask(ctx context.Context, a *article.Article, question string, history []summarize.QA) (*summarize.Answer, error)
}

// runAsk answers a question about one article: `precis ask [--json]
// [--url URL] <URL | FILE | -> QUESTION...`. The question is the rest of
// the arguments; flags may also follow the input, and "--" ends them.
func runAsk(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	o, question, err := parseAsk(args, stderr, getenv)
	if err != nil {
		return err
	}
	logger := newLogger(o.cfg, stderr, true, getenv)
	s, err := summarize.New(llmConfig(o.cfg, logger))
	if err != nil {
		return err
	}
	ask, ok := s.(asker)
	if !ok {
		return fmt.Errorf("ask: the %T summarizer cannot answer questions", s)
	}
	a, err := o.read(ctx, o.inputs[0], stdin)
	if err != nil {
		return err
	}
	ans, err := ask.Ask(ctx, a, question, nil)
	if err != nil {
		return fmt.Errorf("ask: %w", err)
	}
	if ans.Quotes == nil {
		ans.Quotes = []summarize.Quote{}
	}
	if o.jsonOut {
		return json.NewEncoder(stdout).Encode(ans)
	}
	// The same card as the Discord answer, printed as Markdown.
	_, err = io.WriteString(stdout, render.Text(render.Answer(ans)))
	return err
}

// parseAsk splits the arguments into the flags and input, handed to
// parseOneShot, and the question.
func parseAsk(args []string, stderr io.Writer, getenv func(string) string) (*oneShot, string, error) {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	jsonOut := fs.Bool("json", false, "print JSON")
	pageURL := fs.String("url", "", "the page's address when reading a file or standard input")
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, "", errHelp
			}
			return nil, "", usageError{err.Error()}
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...) // after "--" everything is the question
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) == 0:
		return nil, "", usageError{"give a URL, a FILE or - for standard input, then the question"}
	case len(pos) == 1:
		return nil, "", usageError{"give the question after " + pos[0]}
	}
	question := strings.Join(strings.Fields(strings.Join(pos[1:], " ")), " ")
	if question == "" {
		return nil, "", usageError{"the question is empty"}
	}
	one := []string{pos[0]}
	if *pageURL != "" {
		one = append([]string{"--url", *pageURL}, one...)
	}
	if *jsonOut {
		one = append([]string{"--json"}, one...)
	}
	o, err := parseOneShot("ask", one, stderr, getenv, false)
	if err != nil {
		return nil, "", err
	}
	return o, question, nil
}
