package commands

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/store"
)

func (h *Handler) precis(ctx context.Context, req Request) Response {
	switch req.Sub() {
	case "settings":
		return h.settings(ctx, req)
	case "help":
		return h.help(ctx, req)
	case "usage":
		return h.usage(ctx, req)
	}
	return Response{Error: "Unknown /precis subcommand."}
}

func (h *Handler) settings(ctx context.Context, req Request) Response {
	if req.GuildID == "" {
		return Response{Error: "Settings apply to server channels; use this in a server."}
	}
	if !canManage(req.Permissions) {
		return Response{Error: "You need the Manage Server permission to change Precis settings."}
	}
	cs, err := h.deps.Settings.ChannelSettings(ctx, req.GuildID, req.SettingsChannel())
	if err != nil {
		return Response{Error: pipeline.Explain(fmt.Errorf("channel settings %s: %w", req.SettingsChannel(), err))}
	}
	cs.GuildID, cs.ChannelID = req.GuildID, req.SettingsChannel()
	changed := false
	if req.Has("mode") {
		mode := req.String("mode")
		switch mode {
		case ModeAuto, ModeReaction, ModeOff:
		default:
			return Response{Error: "Mode must be auto, reaction or off."}
		}
		cs.Mode, changed = mode, true
	}
	if req.Has("language") {
		lang, ok := parseLanguage(req.String("language"))
		if !ok {
			return Response{Error: "Language must be a language code such as en, de or pt-BR, or 'article' for the article's own language."}
		}
		cs.Language, changed = lang, true
	}
	if n, ok := req.Int("min_words"); ok {
		if n < 0 || n > MaxMinWords {
			return Response{Error: fmt.Sprintf("min_words must be between 0 and %d.", MaxMinWords)}
		}
		cs.MinWords, changed = int(n), true
	}
	if req.Has("length") {
		switch length := req.String("length"); length {
		case "short", "detailed":
			cs.Length, changed = length, true
		case "normal":
			cs.Length, changed = "", true
		default:
			return Response{Error: "Length must be short, normal or detailed."}
		}
	}
	if changed {
		if err := h.deps.Settings.SetChannelSettings(ctx, cs); err != nil {
			return Response{Error: pipeline.Explain(fmt.Errorf("save channel settings %s: %w", req.SettingsChannel(), err))}
		}
	}
	recapLine, recapChanged, errMsg := h.recapSetting(ctx, req)
	if errMsg != "" {
		return Response{Error: errMsg}
	}
	head := "Settings for <#" + req.SettingsChannel() + ">"
	if changed || recapChanged {
		head = "Saved. " + head
	}
	return Response{Content: head + ":\n" + h.describeSettings(cs) + recapLine}
}

// describeSettings renders settings as a short list.
func (h *Handler) describeSettings(cs store.ChannelSettings) string {
	mode := cs.Mode
	if mode == "" {
		mode = ModeAuto
	}
	var modeText string
	switch mode {
	case ModeAuto:
		modeText = "auto: links people paste are summarised"
	case ModeReaction:
		modeText = "reaction: a 📰 reaction on a message summarises its links"
	case ModeOff:
		modeText = "off: only /summarize and the message menu"
	default:
		modeText = mode
	}
	lang := cs.Language
	if lang == "" {
		lang = "the article's own"
	}
	words := fmt.Sprintf("%d", cs.MinWords)
	if cs.MinWords == 0 {
		words = fmt.Sprintf("default (%d)", h.limits.MinWords)
	}
	length := cs.Length
	if length == "" {
		length = "normal"
	}
	return fmt.Sprintf("• Mode: %s\n• Language: %s\n• Length of summaries of pasted links: %s\n• Minimum words: %s", modeText, lang, length, words)
}

// parseLanguage accepts a BCP 47-like code ("en", "pt-BR", "zh-Hant") or
// "article"/"auto" for the article's own language, returned as "".
func parseLanguage(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "", "article", "auto", "original":
		return "", true
	}
	if len(s) > 35 {
		return "", false
	}
	parts := strings.Split(s, "-")
	if len(parts[0]) < 2 || len(parts[0]) > 3 {
		return "", false
	}
	for _, p := range parts {
		if p == "" || len(p) > 8 {
			return "", false
		}
		for _, r := range p {
			if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return "", false
			}
		}
	}
	return s, true
}

func (h *Handler) help(ctx context.Context, req Request) Response {
	var b strings.Builder
	b.WriteString("**Precis** posts neutral summaries of news links, with key quotes checked word for word against the article.\n\n")
	b.WriteString("• `/summarize url:` summarises one link (`private:` to see it alone, `length:` short, normal or detailed).\n")
	b.WriteString("• Right-click a message → Apps → **Summarize links** summarises the links in it.\n")
	b.WriteString("• **Ask a question** under a summary, or `/ask url: question:`, answers from the article alone, with its own words as evidence.\n")
	b.WriteString("• Pasted links are summarised automatically, on a 📰 reaction, or not at all, per channel, at the length the channel chooses: `/precis settings`.\n")
	b.WriteString("• **Compare coverage** under a summary whose story other outlets here covered, or `/compare url:`, shows what they all report, what only some do and how each frames it, every point in each outlet's own words.\n")
	b.WriteString("• `/recap` (or right-click a message → Apps → **Summarize discussion**) recaps a discussion, members' quotes checked and linked, where an admin allowed it (`/precis settings recap:true`).\n")
	b.WriteString("• `/digest set` posts a daily digest of the links shared here and of RSS feeds (`/digest feeds add`).\n")
	b.WriteString("• `/precis usage` shows today's summaries and LLM tokens.\n")
	var limits []string
	if n := h.limits.UserPerHour; n > 0 {
		limits = append(limits, fmt.Sprintf("%d summaries per person per hour", n))
	}
	if n := h.limits.ServerPerHour; n > 0 {
		limits = append(limits, fmt.Sprintf("%d per server per hour", n))
	}
	if len(limits) > 0 {
		b.WriteString("\nLimits: " + strings.Join(limits, ", ") + ".")
	}
	if req.GuildID != "" && h.deps.Settings != nil {
		if cs, err := h.deps.Settings.ChannelSettings(ctx, req.GuildID, req.SettingsChannel()); err == nil {
			b.WriteString("\n\nThis channel:\n" + h.describeSettings(cs))
		}
	}
	return Response{Content: b.String()}
}

func (h *Handler) usage(ctx context.Context, req Request) Response {
	if req.GuildID == "" {
		return Response{Error: "Usage is counted per server; use this in a server."}
	}
	day := h.deps.Now().UTC().Format("2006-01-02")
	n, tokens, err := h.deps.Usage.Usage(ctx, req.GuildID, day)
	if err != nil {
		return Response{Error: pipeline.Explain(fmt.Errorf("usage %s: %w", req.GuildID, err))}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Today (%s UTC): %s %s, %s LLM tokens", day, discordtext.Thousands(n), plural(n, "summary", "summaries"), discordtext.Thousands(tokens))
	if budget := h.limits.ServerTokensPerDay; budget > 0 {
		fmt.Fprintf(&b, " of %s a day (%d%%)", discordtext.Thousands(budget), min(100, tokens*100/budget))
		if tokens >= budget {
			b.WriteString(".\nThe daily LLM budget is used up: until midnight UTC summaries come from the offline summarizer")
		}
	}
	b.WriteString(".")
	if n := h.limits.ServerPerHour; n > 0 {
		fmt.Fprintf(&b, "\nHourly limit: %s summaries per server", discordtext.Thousands(n))
		if u := h.limits.UserPerHour; u > 0 {
			fmt.Fprintf(&b, ", %s per person", discordtext.Thousands(u))
		}
		b.WriteString(".")
	} else if u := h.limits.UserPerHour; u > 0 {
		fmt.Fprintf(&b, "\nHourly limit: %s summaries per person.", discordtext.Thousands(u))
	}
	return Response{Content: b.String()}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
