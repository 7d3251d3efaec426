package summarize

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// errBadOutput marks an answer that is not a usable summary.
var errBadOutput = errors.New("model output is not a usable summary")

// parseOutput reads the model's answer tolerantly: the JSON object may be
// wrapped in a code fence, preceded by prose or followed by text; field
// types may be loose (a string instead of a list, quotes as plain strings).
// It fills only the fields the model owns.
func parseOutput(content string) (*Summary, error) {
	obj, err := outermostObject(content)
	if err != nil {
		return nil, err
	}
	s := &Summary{
		Headline:     str(obj["headline"]),
		Summary:      str(obj["summary"]),
		KeyPoints:    strList(obj["key_points"]),
		Quotes:       quoteList(obj["quotes"]),
		Perspectives: perspectiveList(obj["perspectives"]),
		Language:     strings.TrimSpace(str(obj["language"])),
	}
	if strings.TrimSpace(s.Summary) == "" && len(s.KeyPoints) == 0 {
		return nil, fmt.Errorf("%w: no summary and no key points", errBadOutput)
	}
	if strings.TrimSpace(s.Summary) == "" {
		s.Summary = strings.Join(s.KeyPoints, " ")
	}
	return s, nil
}

// outermostObject finds the first balanced top-level JSON object in s that
// decodes, scanning strings properly so braces inside them do not count.
func outermostObject(s string) (map[string]json.RawMessage, error) {
	for start := strings.IndexByte(s, '{'); start >= 0; {
		end := matchBrace(s, start)
		if end > start {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal([]byte(s[start:end+1]), &obj); err == nil {
				return obj, nil
			}
		}
		next := strings.IndexByte(s[start+1:], '{')
		if next < 0 {
			break
		}
		start += 1 + next
	}
	return nil, fmt.Errorf("%w: no JSON object found", errBadOutput)
}

// matchBrace returns the index of the } closing the { at start, or -1.
func matchBrace(s string, start int) int {
	depth := 0
	inStr, esc := false, false
	for i := start; i < len(s); i++ {
		c := s[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func str(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, " ")
	}
	return ""
}

func strList(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		// A single string: one point per line.
		var out []string
		for _, line := range strings.Split(str(raw), "\n") {
			if line = strings.TrimSpace(strings.TrimLeft(line, "-*• ")); line != "" {
				out = append(out, line)
			}
		}
		return out
	}
	var out []string
	for _, item := range list {
		if s := strings.TrimSpace(str(item)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func quoteList(raw json.RawMessage) []Quote {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []Quote
	for _, item := range list {
		var q struct {
			Text    json.RawMessage `json:"text"`
			Quote   json.RawMessage `json:"quote"`
			Speaker json.RawMessage `json:"speaker"`
			Source  json.RawMessage `json:"source"`
		}
		if json.Unmarshal(item, &q) == nil {
			t := str(q.Text)
			if t == "" {
				t = str(q.Quote)
			}
			sp := str(q.Speaker)
			if sp == "" {
				sp = str(q.Source)
			}
			if t != "" {
				out = append(out, Quote{Text: t, Speaker: sp})
			}
			continue
		}
		if t := str(item); t != "" {
			out = append(out, Quote{Text: t})
		}
	}
	return out
}

func perspectiveList(raw json.RawMessage) []Perspective {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []Perspective
	for _, item := range list {
		var p struct {
			Party    json.RawMessage `json:"party"`
			Position json.RawMessage `json:"position"`
		}
		if json.Unmarshal(item, &p) != nil {
			continue
		}
		if pp := (Perspective{Party: str(p.Party), Position: str(p.Position)}); pp.Party != "" && pp.Position != "" {
			out = append(out, pp)
		}
	}
	return out
}
