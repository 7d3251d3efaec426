package fakediscord

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// openAPISpec is Discord's own OpenAPI 3.1 description of API v10
// (github.com/discord/discord-api-spec, MIT; see openapi/LICENSE).
//
//go:embed openapi/openapi.json
var openAPISpec []byte

const specURL = "https://discord.com/api/v10/openapi.json"

// Limits the OpenAPI schema does not express.
const (
	maxContent    = 2000
	maxEmbedTotal = 6000
)

// Validator checks outgoing REST payloads against Discord's OpenAPI schema,
// the two limits the schema lacks (content <= 2000 characters, 6000
// characters across a message's embeds) and Precis's rule that every
// message-creating or -editing payload carries allowed_mentions with an
// empty parse list. It is safe for concurrent use.
type Validator struct {
	compiler  *jsonschema.Compiler
	templates []pathTemplate
	ops       map[string]map[string]string // template -> method -> schema location

	mu      sync.Mutex // guards compiler and schemas
	schemas map[string]*jsonschema.Schema
}

type pathTemplate struct {
	raw  string
	segs []string
}

var (
	defaultValidatorOnce sync.Once
	defaultValidator     *Validator
	defaultValidatorErr  error
)

// DefaultValidator returns a Validator for the embedded Discord schema. It
// is built once per process (parsing the 1.2 MB schema takes a moment) and
// shared; it holds no state that tests could observe.
func DefaultValidator() (*Validator, error) {
	defaultValidatorOnce.Do(func() {
		defaultValidator, defaultValidatorErr = NewValidator(openAPISpec)
	})
	return defaultValidator, defaultValidatorErr
}

// NewValidator builds a Validator from an OpenAPI 3.1 document.
func NewValidator(spec []byte) (*Validator, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(spec))
	if err != nil {
		return nil, fmt.Errorf("parse openapi spec: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "snowflake", Validate: validateSnowflake})
	if err := c.AddResource(specURL, doc); err != nil {
		return nil, fmt.Errorf("add openapi spec: %w", err)
	}
	root, _ := doc.(map[string]any)
	paths, _ := root["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, errors.New("openapi spec has no paths")
	}
	v := &Validator{compiler: c, ops: map[string]map[string]string{}, schemas: map[string]*jsonschema.Schema{}}
	for p, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			o, _ := op.(map[string]any)
			rb, _ := o["requestBody"].(map[string]any)
			content, _ := rb["content"].(map[string]any)
			if _, ok := content["application/json"]; !ok {
				continue
			}
			if v.ops[p] == nil {
				v.ops[p] = map[string]string{}
				v.templates = append(v.templates, pathTemplate{raw: p, segs: strings.Split(strings.Trim(p, "/"), "/")})
			}
			v.ops[p][strings.ToUpper(method)] = specURL + "#/paths/" + escapePointer(p) + "/" + method + "/requestBody/content/application~1json/schema"
		}
	}
	return v, nil
}

// validateSnowflake accepts what Discord accepts for an id: a decimal
// integer, as a JSON number or a string.
func validateSnowflake(v any) error {
	var str string
	switch x := v.(type) {
	case string:
		str = x
	case json.Number:
		str = x.String()
	default:
		return nil // type mismatches are the schema's "type" keyword's job
	}
	if _, err := strconv.ParseUint(str, 10, 64); err != nil {
		return fmt.Errorf("%q is not a snowflake", str)
	}
	return nil
}

func escapePointer(s string) string {
	s = strings.ReplaceAll(s, "~", "~0")
	s = strings.ReplaceAll(s, "/", "~1")
	s = strings.ReplaceAll(s, "{", "%7B")
	return strings.ReplaceAll(s, "}", "%7D")
}

// template finds the OpenAPI path template for a concrete route; literal
// segments beat parameters (/messages/@original over /messages/{id}).
func (v *Validator) template(route string) (string, bool) {
	segs := strings.Split(strings.Trim(route, "/"), "/")
	best, bestScore := "", -1
	for _, t := range v.templates {
		if len(t.segs) != len(segs) {
			continue
		}
		score := 0
		ok := true
		for i, p := range t.segs {
			if strings.HasPrefix(p, "{") {
				continue
			}
			if p != segs[i] {
				ok = false
				break
			}
			score++
		}
		if ok && score > bestScore {
			best, bestScore = t.raw, score
		}
	}
	return best, bestScore >= 0
}

func (v *Validator) schema(method, tmpl string) (*jsonschema.Schema, error) {
	loc, ok := v.ops[tmpl][method]
	if !ok {
		return nil, nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.schemas[loc]; ok {
		return s, nil
	}
	s, err := v.compiler.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("compile schema for %s %s: %w", method, tmpl, err)
	}
	v.schemas[loc] = s
	return s, nil
}

// Check returns every problem with a request body sent as method to path.
// path may carry the /api/vN prefix and a query string. A nil result means
// the payload is valid.
func (v *Validator) Check(method, path string, body []byte) []error {
	method = strings.ToUpper(method)
	route := path
	if i := strings.IndexByte(route, '?'); i >= 0 {
		route = route[:i]
	}
	if m := apiPrefix.FindStringSubmatch(route); m != nil {
		route = "/" + strings.TrimPrefix(route[len(m[0]):], "/")
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return []error{fmt.Errorf("body is not JSON: %w", err)}
	}
	var errs []error
	tmpl, ok := v.template(route)
	if !ok {
		errs = append(errs, fmt.Errorf("route %s is not in Discord's API schema", route))
	} else if sch, err := v.schema(method, tmpl); err != nil {
		errs = append(errs, err)
	} else if sch != nil {
		if err := sch.Validate(inst); err != nil {
			errs = append(errs, fmt.Errorf("schema %s %s: %s", method, tmpl, schemaErrorText(err)))
		}
	}
	errs = append(errs, checkMessageRules(method, tmpl, body)...)
	errs = append(errs, checkCommandRules(method, tmpl, body)...)
	return errs
}

// ValidatePayload checks a request body with the default validator and
// returns all problems joined, or nil. path is a Discord REST path such as
// /channels/123/messages (an /api/vN prefix is allowed).
func ValidatePayload(method, path string, body []byte) error {
	v, err := DefaultValidator()
	if err != nil {
		return err
	}
	return errors.Join(v.Check(method, path, body)...)
}

func schemaErrorText(err error) string {
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		var leaves []string
		collectLeaves(ve, &leaves)
		if len(leaves) > 8 {
			leaves = append(leaves[:8], fmt.Sprintf("… and %d more", len(leaves)-8))
		}
		return strings.Join(leaves, "; ")
	}
	return err.Error()
}

var englishPrinter = message.NewPrinter(language.English)

func collectLeaves(ve *jsonschema.ValidationError, out *[]string) {
	if len(ve.Causes) == 0 {
		*out = append(*out, "at /"+strings.Join(ve.InstanceLocation, "/")+": "+ve.ErrorKind.LocalizedString(englishPrinter))
		return
	}
	for _, c := range ve.Causes {
		collectLeaves(c, out)
	}
}

// messagePayload is the part of a message payload the extra rules read.
type messagePayload struct {
	Content         *string            `json:"content"`
	Embeds          []embedPayload     `json:"embeds"`
	Components      []componentPayload `json:"components"`
	Attachments     []any              `json:"attachments"`
	StickerIDs      []any              `json:"sticker_ids"`
	Poll            any                `json:"poll"`
	AllowedMentions *json.RawMessage   `json:"allowed_mentions"`
}

type embedPayload struct {
	URL         string `json:"url"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Author      *struct {
		Name string `json:"name"`
	} `json:"author"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Fields []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
}

// checkMessageRules applies the rules the schema lacks to payloads that
// create or edit a message.
func checkMessageRules(method, tmpl string, body []byte) []error {
	var kind string // "create" or "edit"
	switch {
	case method == "POST" && tmpl == "/channels/{channel_id}/messages",
		method == "POST" && tmpl == "/webhooks/{webhook_id}/{webhook_token}":
		kind = "create"
	case method == "PATCH" && tmpl == "/channels/{channel_id}/messages/{message_id}",
		method == "PATCH" && tmpl == "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
		method == "PATCH" && tmpl == "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}":
		kind = "edit"
	case method == "POST" && tmpl == "/interactions/{interaction_id}/{interaction_token}/callback":
		var cb struct {
			Type int             `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &cb); err != nil {
			return []error{fmt.Errorf("callback body: %w", err)}
		}
		switch cb.Type {
		case callbackChannelMessage:
			kind = "create"
		case callbackUpdateMessage:
			kind = "edit"
		default:
			return nil
		}
		if len(cb.Data) == 0 || string(cb.Data) == "null" {
			return []error{fmt.Errorf("callback type %d without data", cb.Type)}
		}
		errs := messageRules(kind, cb.Data)
		for i, e := range errs {
			errs[i] = fmt.Errorf("data: %w", e)
		}
		return errs
	default:
		return nil
	}
	return messageRules(kind, body)
}

// MessageRules checks one message payload (a channel message, webhook
// message, or interaction callback data) against the limits the schema
// lacks and Precis's allowed_mentions rule. edit relaxes the "message must
// not be empty" rule, which only applies to new messages.
func MessageRules(payload []byte, edit bool) error {
	kind := "create"
	if edit {
		kind = "edit"
	}
	return errors.Join(messageRules(kind, payload)...)
}

func messageRules(kind string, body []byte) []error {
	var m messagePayload
	if err := json.Unmarshal(body, &m); err != nil {
		return []error{fmt.Errorf("message payload: %w", err)}
	}
	var errs []error
	if m.Content != nil {
		if n := utf8.RuneCountInString(*m.Content); n > maxContent {
			errs = append(errs, fmt.Errorf("content is %d characters, limit %d", n, maxContent))
		}
	}
	total := 0
	for _, e := range m.Embeds {
		total += utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
		if e.Author != nil {
			total += utf8.RuneCountInString(e.Author.Name)
		}
		if e.Footer != nil {
			total += utf8.RuneCountInString(e.Footer.Text)
		}
		for _, f := range e.Fields {
			total += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
		}
	}
	if total > maxEmbedTotal {
		errs = append(errs, fmt.Errorf("embeds total %d characters, limit %d", total, maxEmbedTotal))
	}
	if kind == "create" && (m.Content == nil || *m.Content == "") && len(m.Embeds) == 0 && len(m.Components) == 0 &&
		len(m.Attachments) == 0 && len(m.StickerIDs) == 0 && m.Poll == nil {
		errs = append(errs, errors.New("empty message: no content, embeds, components, attachments, stickers or poll (Discord: 50006 Cannot send an empty message)"))
	}
	for i, e := range m.Embeds {
		if e.URL != "" && !webURL(e.URL) {
			errs = append(errs, fmt.Errorf("embeds[%d].url %q: only http and https links", i, e.URL))
		}
	}
	var walk func(path string, cs []componentPayload)
	walk = func(path string, cs []componentPayload) {
		for i, c := range cs {
			p := fmt.Sprintf("%s[%d]", path, i)
			if c.Type == 2 && c.Style == 5 && !webURL(c.URL) && !strings.HasPrefix(c.URL, "discord://") {
				errs = append(errs, fmt.Errorf("%s: link button url %q must be http, https or discord", p, c.URL))
			}
			walk(p+".components", c.Components)
		}
	}
	walk("components", m.Components)
	errs = append(errs, allowedMentionsRule(m.AllowedMentions)...)
	return errs
}

type componentPayload struct {
	Type       int                `json:"type"`
	Style      int                `json:"style"`
	URL        string             `json:"url"`
	Components []componentPayload `json:"components"`
}

func webURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// chatInputName is Discord's rule for slash command and option names.
var chatInputName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

type commandPayload struct {
	Name        string           `json:"name"`
	Description string           `json:"description"`
	Type        int              `json:"type"`
	Options     []commandPayload `json:"options"`
}

// checkCommandRules checks application command names and descriptions,
// which Discord validates beyond the schema.
func checkCommandRules(method, tmpl string, body []byte) []error {
	var cmds []commandPayload
	switch {
	case method == "PUT" && strings.HasSuffix(tmpl, "/commands"):
		if err := json.Unmarshal(body, &cmds); err != nil {
			return []error{fmt.Errorf("commands: %w", err)}
		}
	case (method == "POST" && strings.HasSuffix(tmpl, "/commands")) || (method == "PATCH" && strings.HasSuffix(tmpl, "/commands/{command_id}")):
		var c commandPayload
		if err := json.Unmarshal(body, &c); err != nil {
			return []error{fmt.Errorf("command: %w", err)}
		}
		cmds = []commandPayload{c}
	default:
		return nil
	}
	var errs []error
	var check func(path string, c commandPayload, chatInput bool)
	check = func(path string, c commandPayload, chatInput bool) {
		if chatInput {
			if !chatInputName.MatchString(c.Name) || strings.ToLower(c.Name) != c.Name {
				errs = append(errs, fmt.Errorf("%s: name %q must be 1-32 lower-case letters, digits, - or _", path, c.Name))
			}
			if n := utf8.RuneCountInString(c.Description); n < 1 || n > 100 {
				errs = append(errs, fmt.Errorf("%s: description must be 1-100 characters, is %d", path, n))
			}
		} else if n := utf8.RuneCountInString(c.Name); n < 1 || n > 32 {
			errs = append(errs, fmt.Errorf("%s: name must be 1-32 characters, is %d", path, n))
		}
		for i, o := range c.Options {
			check(fmt.Sprintf("%s.options[%d]", path, i), o, true)
		}
	}
	for i, c := range cmds {
		check(fmt.Sprintf("commands[%d]", i), c, c.Type == 0 || c.Type == 1)
	}
	return errs
}

func allowedMentionsRule(raw *json.RawMessage) []error {
	if raw == nil || string(*raw) == "null" {
		return []error{errors.New(`allowed_mentions missing: Precis requires {"parse": []} on every message and edit`)}
	}
	var am struct {
		Parse *[]string `json:"parse"`
		Users []string  `json:"users"`
		Roles []string  `json:"roles"`
	}
	if err := json.Unmarshal(*raw, &am); err != nil {
		return []error{fmt.Errorf("allowed_mentions: %w", err)}
	}
	var errs []error
	if am.Parse == nil {
		errs = append(errs, errors.New(`allowed_mentions.parse missing or null: Precis requires an empty list`))
	} else if len(*am.Parse) > 0 {
		errs = append(errs, fmt.Errorf("allowed_mentions.parse is %q: Precis requires an empty list", *am.Parse))
	}
	if len(am.Users) > 0 || len(am.Roles) > 0 {
		errs = append(errs, errors.New("allowed_mentions lists users or roles: Precis never pings"))
	}
	return errs
}
