package summarize

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// This file is the generic part of the LLM summarizer that other checked
// outputs (recaps, comparisons) build on: asking the model for one JSON
// object with the summarizer's retries and format fallbacks, fencing
// untrusted data in the prompt, reading the answer tolerantly, and finding
// a quote verbatim in a text with the same normalisation article quotes
// get.

// JSONFormat names the JSON object a call asks for and gives its strict
// schema, sent as response_format where the server supports it.
type JSONFormat struct {
	Name   string
	Schema json.RawMessage
}

// Limits are the budget one job may use with this model.
type Limits struct {
	// ContextTokens is the model's input budget (LLM_CONTEXT_TOKENS).
	ContextTokens int
	// MaxTokens caps each completion (LLM_MAX_TOKENS).
	MaxTokens int
	// Deadline bounds one whole job, retries and parts included.
	Deadline time.Duration
}

// Limits returns the configured budget.
func (l *LLM) Limits() Limits {
	return Limits{ContextTokens: l.cfg.ContextTokens, MaxTokens: l.cfg.MaxTokens, Deadline: l.cfg.Deadline}
}

// PromptSlack is the number of tokens to leave free in a prompt for the
// wrapping around fenced data (markers, headers, message framing).
const PromptSlack = promptSlack

// ChatJSON makes one logical model call with a system and a user message
// and hands the answer's content to parse. An error from parse marks the
// answer as unusable: the call is tried once more, then fails. Rejected
// response formats are downgraded, rate limits and server errors retried
// with backoff, exactly as for summaries. It returns the tokens used,
// also when it fails.
func (l *LLM) ChatJSON(ctx context.Context, system, user string, format JSONFormat, parse func(content string) error) (Usage, error) {
	var meter usageMeter
	_, err := l.call(ctx, []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: system},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}, &meter, outputFormat{name: format.Name, schema: format.Schema}, func(content string) error {
		if err := parse(content); err != nil {
			return fmt.Errorf("%w: %w", errBadOutput, err)
		}
		return nil
	})
	return meter.get(), err
}

// Object is a JSON object a model wrote, its fields read tolerantly: under
// the names different models give them, with loose types.
type Object map[string]json.RawMessage

// ParseObject finds the JSON object in a model's answer tolerantly: it may
// be wrapped in a code fence, preceded by prose or followed by text.
func ParseObject(content string) (Object, error) {
	return outermostObject(content)
}

// AsObject reads raw as a JSON object; ok is false for anything else.
func AsObject(raw json.RawMessage) (o Object, ok bool) {
	if json.Unmarshal(raw, &o) != nil {
		return nil, false
	}
	return o, true
}

// First is the value of the first of keys that is present and not null,
// or nil.
func (o Object) First(keys ...string) json.RawMessage {
	for _, k := range keys {
		if v, ok := o[k]; ok && string(v) != "null" {
			return v
		}
	}
	return nil
}

// Text is the first of keys whose value reads as a string that is not
// blank (LooseString), trimmed, or "".
func (o Object) Text(keys ...string) string {
	for _, k := range keys {
		if s := strings.TrimSpace(str(o[k])); s != "" {
			return s
		}
	}
	return ""
}

// LooseList reads a field that should be a list; any other value becomes
// a list of one item, nothing an empty one.
func LooseList(raw json.RawMessage) []json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	return []json.RawMessage{raw}
}

// LooseString reads a field that should be a string; a list of strings is
// joined, anything else is "".
func LooseString(raw json.RawMessage) string { return str(raw) }

// LooseStrings reads a field that should be a list of strings; a single
// string becomes one item per line.
func LooseStrings(raw json.RawMessage) []string { return strList(raw) }

// FindVerbatim looks quote up in text with the normalisation article quotes
// get (quote marks, apostrophes, dashes, ellipses and white space folded;
// the case of the first letter ignored; surrounding quote marks, ellipses
// and clause punctuation trimmed) and returns text's own wording of it,
// extended by a directly following ., ! or ?. Unlike article quotes, the
// words need not stand inside quotation marks: a member's message is their
// own words.
func FindVerbatim(text, quote string) (string, bool) {
	q := strings.TrimRightFunc(strings.TrimLeftFunc(quote, quoteTrimLeft), quoteTrimRight)
	if utf8.RuneCountInString(q) < 2 {
		return "", false
	}
	hay := normalizeForMatch(text)
	i, j, ok := hay.find(normalizeForMatch(q).runes)
	if !ok {
		return "", false
	}
	from, to := hay.start[i], hay.end[j-1]
	if to < len(text) {
		if r, w := utf8.DecodeRuneInString(text[to:]); r == '.' || r == '!' || r == '?' {
			to += w
		}
	}
	return strings.TrimSpace(text[from:to]), true
}

// Fence wraps untrusted data between a line <<<kind id>>> and a line
// <<<END kind id>>>, id derived from the data so that the closing marker
// cannot occur inside it, as the summary and /ask prompts do.
func Fence(kind, data string) string { return fenceAs(kind, data) }

// RemoveURLs deletes every link from text a model wrote and tidies the gap
// it leaves; the only links a checked output carries are the ones Precis
// puts there.
func RemoveURLs(s string) string { return removeURLs(s) }

// CleanText makes model text safe to show: Markdown that changes layout or
// hides links removed, mentions made inert, white space trimmed.
func CleanText(s string) string { return cleanText(s) }

// CleanLine is CleanText for one-line fields: line breaks become spaces.
func CleanLine(s string) string { return cleanLine(s) }
