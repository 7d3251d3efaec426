package render

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/golden"
	"github.com/precisbot/precis/summarize"
)

func shortSummary() *summarize.Summary {
	return &summarize.Summary{
		URL:      "https://www.example.com/news/2025/harbour-bridge-vote",
		Title:    "City council approves harbour bridge after long debate",
		Site:     "Example Times",
		Byline:   "Jane Doe",
		Headline: "Council approves harbour bridge in 7-4 vote",
		Summary:  "The city council approved a new harbour bridge on Tuesday, according to the council's published minutes. Supporters said it would cut commuting times; opponents questioned the cost.",
		KeyPoints: []string{
			"The vote was 7-4 after a six-hour session.",
			"The council puts the cost at 240 million euros.",
			"Construction is planned to start in 2026.",
		},
		Quotes: []summarize.Quote{
			{Text: "This bridge will connect our neighbourhoods for the next hundred years.", Speaker: "Mayor Ana Ruiz"},
			{Text: "We have not seen a credible cost estimate.", Speaker: "Councillor Tom Berg"},
		},
		Perspectives: []summarize.Perspective{
			{Party: "Supporters", Position: "Say the bridge will shorten commutes and relieve the ferry."},
			{Party: "Opponents", Position: "Say the cost estimate is incomplete and want an independent review."},
		},
		Language: "en",
		Model:    "gpt-4o-mini",
		Words:    812,
	}
}

func longSummary() *summarize.Summary {
	huge := func(word string, n int) string { return strings.TrimSpace(strings.Repeat(word+" ", n)) }
	s := &summarize.Summary{
		URL:      "https://example.com/" + strings.Repeat("very-long-path/", 200),
		Title:    huge("Title", 400),
		Site:     huge("Site", 200),
		Byline:   huge("Byline", 200),
		Headline: huge("Headline", 600),
		Summary:  huge("Summary sentence goes on.", 900) + "\n\n" + huge("Second paragraph.", 400),
		Language: "en",
		Model:    huge("model", 600),
		Words:    1234567,
		Note:     huge("The language model failed, so this is the offline summary.", 50),
	}
	for i := range 40 {
		s.KeyPoints = append(s.KeyPoints, fmt.Sprintf("Point %d: %s", i+1, huge("detail", 150)))
	}
	for i := range 20 {
		s.Quotes = append(s.Quotes, summarize.Quote{Text: fmt.Sprintf("Quote %d %s", i+1, huge("said", 600)), Speaker: huge("Speaker", 100)})
	}
	for i := range 10 {
		s.Perspectives = append(s.Perspectives, summarize.Perspective{Party: huge(fmt.Sprintf("Party%d", i), 80), Position: huge("position", 300)})
	}
	return s
}

func manyQuotesSummary() *summarize.Summary {
	s := shortSummary()
	s.Quotes = nil
	for i := range 30 {
		s.Quotes = append(s.Quotes, summarize.Quote{
			Text:    fmt.Sprintf("Quote number %d: we said this in the hearing and we meant every word of it, including the part about the budget.", i+1),
			Speaker: fmt.Sprintf("Witness %d", i+1),
		})
	}
	return s
}

func japaneseSummary() *summarize.Summary {
	return &summarize.Summary{
		URL:      "https://www3.nhk.or.jp/news/html/20250101/k10000000000000.html",
		Title:    "東京都、新たな防災計画を発表",
		Site:     "NHKニュース",
		Byline:   "社会部",
		Headline: "東京都が大規模地震に備えた新たな防災計画を発表",
		Summary:  "東京都は、大規模地震に備えた新たな防災計画を発表した。都によると、避難所の数を増やし、備蓄を見直すという。",
		KeyPoints: []string{
			"避難所を約200か所増やす計画。",
			"食料の備蓄を3日分から7日分に拡大。",
		},
		Quotes: []summarize.Quote{
			{Text: "都民の命を守るため、あらゆる手段を尽くす。", Speaker: "小池知事"},
		},
		Perspectives: []summarize.Perspective{
			{Party: "東京都", Position: "計画は過去の災害の教訓を反映しているとしている。"},
			{Party: "専門家", Position: "実効性の検証が必要だと指摘している。"},
		},
		Language: "ja",
		Model:    "qwen2.5-7b-instruct",
		Words:    640,
	}
}

func hostileSummary() *summarize.Summary {
	return &summarize.Summary{
		URL:      "javascript:alert(1)",
		Title:    "# Breaking @everyone **bold** [click](https://evil.example/phish)",
		Site:     "@here Site <@123456789012345678>",
		Byline:   "<@&987654321098765432> ```code```",
		Headline: "@everyone ||spoiler|| [x](javascript:alert(1))",
		Summary:  "# Heading\n> fake quote\n- list item\n```go\npanic()\n```\nPing <@123456789012345678> and <@!123456789012345678> and <@&987654321098765432> and <#111111111111111111> and @here.\u202eevil",
		KeyPoints: []string{
			"@everyone look at [this](https://evil.example)",
			"-# small text <a:emoji:123>",
			"1. numbered",
		},
		Quotes: []summarize.Quote{
			{Text: "Click [here](javascript:alert(document.cookie)) @everyone", Speaker: "<@123456789012345678>"},
			{Text: "```\nrm -rf /\n```", Speaker: "**Admin**"},
		},
		Perspectives: []summarize.Perspective{
			{Party: "@here", Position: "||hidden|| ~~struck~~ __under__"},
		},
		Language: "en",
		Model:    "model <@123>",
		Words:    90,
		Note:     "@everyone the note",
	}
}

// offlineSummary is what the offline summarizer makes of a news page with a
// lead image: the headline is the title, and its note says no model is set.
func offlineSummary() *summarize.Summary {
	return &summarize.Summary{
		URL:      "https://worldnewstoday.example/2022/01/21/us-and-russia-plan-further-ukraine-talks/",
		Title:    "US and Russia plan further Ukraine talks after Blinken-Lavrov meeting",
		Site:     "World News Today",
		Image:    "https://worldnewstoday.example/img/blinken-lavrov.jpg",
		Headline: "US and Russia plan further Ukraine talks after Blinken-Lavrov meeting",
		Summary: "The US and Russian foreign ministers ended the highest-level talks yet on Moscow’s security demands over Ukraine by agreeing to continue diplomacy. " +
			"Blinken said Washington planned to share written security proposals with Russia next week.",
		KeyPoints: []string{"Lavrov said Putin “was always prepared” to talk to Biden but said future talks would depend on “serious preparation”."},
		Quotes:    []summarize.Quote{{Text: "I can’t say whether we are on the right track or not", Speaker: "Lavrov"}},
		Language:  "en",
		Model:     summarize.ExtractiveModel,
		Words:     667,
		Note:      summarize.ExtractiveNote,
	}
}

func TestRenderSummaryGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sum  *summarize.Summary
		opts Options
	}{
		{"short", shortSummary(), Options{}},
		{"long", longSummary(), Options{}},
		{"many_quotes", manyQuotesSummary(), Options{}},
		{"japanese", japaneseSummary(), Options{}},
		{"hostile", hostileSummary(), Options{}},
		{"offline", offlineSummary(), Options{}},
		{"offline_model_failed", func() *summarize.Summary {
			s := offlineSummary()
			s.Note = summarize.FallbackNote
			return s
		}(), Options{}},
		{"reply_short_length", manyQuotesSummary(), Options{
			Length:  "short",
			ReplyTo: &discordgo.MessageReference{MessageID: "1500000000000000001", ChannelID: "1300000000000000001", GuildID: "1200000000000000001", FailIfNotExists: new(false)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := Summary(tt.sum, tt.opts)
			body, err := json.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := fakediscord.ValidatePayload("POST", "/channels/1300000000000000001/messages", body); err != nil {
				t.Errorf("POST /channels/{id}/messages payload invalid:\n%v", err)
			}
			edit, err := json.Marshal(SummaryEdit(tt.sum, tt.opts))
			if err != nil {
				t.Fatal(err)
			}
			if err := fakediscord.ValidatePayload("PATCH", "/webhooks/1/token/messages/@original", edit); err != nil {
				t.Errorf("PATCH @original payload invalid:\n%v", err)
			}
			checkLimits(t, msg.Embeds)
			checkQuotesAccounted(t, tt.sum, tt.opts, msg.Embeds)
			golden.JSON(t, "summary/"+tt.name, msg)
		})
	}
}

func checkLimits(t *testing.T, embeds []*discordgo.MessageEmbed) {
	t.Helper()
	if len(embeds) == 0 || len(embeds) > discordtext.MaxEmbeds {
		t.Fatalf("%d embeds", len(embeds))
	}
	total := 0
	for _, e := range embeds {
		total += embedLength(e)
		if len(e.Fields) > discordtext.MaxFields || discordtext.Len(e.Title) > discordtext.MaxEmbedTitle ||
			discordtext.Len(e.Description) > discordtext.MaxEmbedDescription {
			t.Errorf("embed over its limits: %d fields, title %d, description %d", len(e.Fields), discordtext.Len(e.Title), discordtext.Len(e.Description))
		}
		for _, f := range e.Fields {
			if discordtext.Len(f.Value) > discordtext.MaxFieldValue || discordtext.Len(f.Name) > discordtext.MaxFieldName || f.Value == "" || f.Name == "" {
				t.Errorf("field %q over its limits or empty", f.Name)
			}
		}
	}
	if total > discordtext.MaxEmbedTotal {
		t.Errorf("embeds total %d > %d", total, discordtext.MaxEmbedTotal)
	}
}

var moreQuotesRe = regexp.MustCompile(`\*\+(\d+) more quotes?\*`)

// checkQuotesAccounted checks that every quote is either shown in full
// (with its speaker) or counted in "+N more quotes".
func checkQuotesAccounted(t *testing.T, s *summarize.Summary, opts Options, embeds []*discordgo.MessageEmbed) {
	t.Helper()
	shown, more := 0, 0
	for _, e := range embeds {
		for _, f := range e.Fields {
			if !strings.HasPrefix(f.Name, "Quotes") {
				continue
			}
			for _, block := range strings.Split(f.Value, "\n\n") {
				switch {
				case strings.HasPrefix(block, "> "):
					shown++
				case moreQuotesRe.MatchString(block):
					var n int
					fmt.Sscan(moreQuotesRe.FindStringSubmatch(block)[1], &n)
					more += n
				}
			}
		}
	}
	if shown+more != len(s.Quotes) {
		t.Errorf("%d quotes shown + %d counted as more != %d quotes", shown, more, len(s.Quotes))
	}
	if opts.Length != "short" && len(s.Quotes) <= 30 && discordtext.Len(strings.Join(quoteTexts(s), "")) < 4000 && more > 0 {
		t.Errorf("%d quotes dropped although they fit", more)
	}
}

func quoteTexts(s *summarize.Summary) []string {
	var out []string
	for _, q := range s.Quotes {
		out = append(out, q.Text+q.Speaker)
	}
	return out
}

func TestRenderSummaryLayout(t *testing.T) {
	t.Parallel()
	s := shortSummary()
	msg := Summary(s, Options{})
	e := msg.Embeds[0]
	if e.Title != s.Title || e.URL != s.URL {
		t.Errorf("title %q url %q", e.Title, e.URL)
	}
	if e.Author == nil || e.Author.Name != "Example Times · Jane Doe" {
		t.Errorf("author = %+v", e.Author)
	}
	if !strings.HasPrefix(e.Description, "**Council approves harbour bridge in 7\\-4 vote**\n\n") &&
		!strings.HasPrefix(e.Description, "**Council approves harbour bridge in 7-4 vote**\n\n") {
		t.Errorf("description = %q", e.Description)
	}
	wantFooter := "Summarized by gpt-4o-mini · 812 words · 4 min read · quotes checked against the article"
	if e.Footer == nil || e.Footer.Text != wantFooter {
		t.Errorf("footer = %+v, want %q", e.Footer, wantFooter)
	}
	names := []string{}
	for _, f := range e.Fields {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "Key points,Quotes,Perspectives" {
		t.Errorf("fields = %v", names)
	}
	if !strings.Contains(e.Fields[1].Value, "> This bridge will connect our neighbourhoods for the next hundred years.\n— Mayor Ana Ruiz") {
		t.Errorf("quote field = %q", e.Fields[1].Value)
	}
	if len(msg.Components) != 1 {
		t.Fatalf("components = %v", msg.Components)
	}
	row := msg.Components[0].(discordgo.ActionsRow)
	btn := row.Components[0].(discordgo.Button)
	if btn.Style != discordgo.LinkButton || btn.URL != s.URL || btn.Label != "Read article" {
		t.Errorf("button = %+v", btn)
	}
	if msg.AllowedMentions == nil || msg.AllowedMentions.Parse == nil || len(msg.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed mentions = %+v", msg.AllowedMentions)
	}
}

func TestRenderSummaryVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(*summarize.Summary)
		opts  Options
		check func(t *testing.T, m *discordgo.MessageSend)
	}{
		{"extractive footer and note", func(s *summarize.Summary) {
			s.Model = summarize.ExtractiveModel
			s.Note = "The AI summary failed; this is the offline summary."
			s.Quotes = nil
		}, Options{}, func(t *testing.T, m *discordgo.MessageSend) {
			e := m.Embeds[0]
			// The note says it is offline; the footer only says how.
			if e.Footer.Text != "Sentences from the article · 812 words · 4 min read · quotes checked against the article" {
				t.Errorf("footer = %q", e.Footer.Text)
			}
			if !strings.HasPrefix(e.Description, "⚠️ *The AI summary failed; this is the offline summary.*\n\n") {
				t.Errorf("note not shown first: %q", e.Description)
			}
		}},
		{"offline without a key: one notice, in the footer", func(s *summarize.Summary) {
			s.Model = summarize.ExtractiveModel
			s.Note = summarize.ExtractiveNote
		}, Options{}, func(t *testing.T, m *discordgo.MessageSend) {
			e := m.Embeds[0]
			if e.Footer.Text != "Offline summary: sentences from the article, no AI model set · 812 words · 4 min read · quotes checked against the article" {
				t.Errorf("footer = %q", e.Footer.Text)
			}
			if strings.Contains(e.Description, "⚠️") || strings.Contains(strings.ToLower(e.Description), "extractive") {
				t.Errorf("the description repeats the footer's notice: %q", e.Description)
			}
		}},
		{"headline equal to the title is not repeated", func(s *summarize.Summary) { s.Headline = s.Title }, Options{},
			func(t *testing.T, m *discordgo.MessageSend) {
				if d := m.Embeds[0].Description; strings.Contains(d, "**") || !strings.HasPrefix(d, "The city council approved") {
					t.Errorf("description = %q", d)
				}
			}},
		{"headline that is the title with the site is not repeated", func(s *summarize.Summary) {
			s.Headline = s.Title + " | Example Times"
		}, Options{}, func(t *testing.T, m *discordgo.MessageSend) {
			if d := m.Embeds[0].Description; strings.Contains(d, "**") {
				t.Errorf("description = %q", d)
			}
		}},
		{"thumbnail from the article's image", func(s *summarize.Summary) { s.Image = "https://img.example.com/bridge.jpg" }, Options{},
			func(t *testing.T, m *discordgo.MessageSend) {
				if th := m.Embeds[0].Thumbnail; th == nil || th.URL != "https://img.example.com/bridge.jpg" {
					t.Errorf("thumbnail = %+v", th)
				}
				if !strings.Contains(Text(m), "![thumbnail](<https://img.example.com/bridge.jpg>)") {
					t.Errorf("text render has no thumbnail:\n%s", Text(m))
				}
			}},
		{"no thumbnail for a non-web image", func(s *summarize.Summary) { s.Image = "javascript:alert(1)" }, Options{},
			func(t *testing.T, m *discordgo.MessageSend) {
				if th := m.Embeds[0].Thumbnail; th != nil {
					t.Errorf("thumbnail = %+v", th)
				}
			}},
		{"no button for non-web URL", func(s *summarize.Summary) { s.URL = "ftp://example.com/x" }, Options{}, func(t *testing.T, m *discordgo.MessageSend) {
			if len(m.Components) != 0 || m.Embeds[0].URL != "" {
				t.Errorf("components %v url %q", m.Components, m.Embeds[0].URL)
			}
		}},
		{"no link button for URL over 512, Ask still", func(s *summarize.Summary) { s.URL = "https://example.com/" + strings.Repeat("a", 600) }, Options{}, func(t *testing.T, m *discordgo.MessageSend) {
			if len(m.Components) != 1 || m.Embeds[0].URL == "" {
				t.Fatalf("components %v url %q", m.Components, m.Embeds[0].URL)
			}
			if row := m.Components[0].(discordgo.ActionsRow); len(row.Components) != 1 || row.Components[0].(discordgo.Button).CustomID != AskButtonID {
				t.Errorf("buttons %+v, want Ask alone", row.Components)
			}
		}},
		{"NoButton", func(*summarize.Summary) {}, Options{NoButton: true, Color: 0x123456}, func(t *testing.T, m *discordgo.MessageSend) {
			if len(m.Components) != 0 || m.Embeds[0].Color != 0x123456 {
				t.Errorf("components %v color %x", m.Components, m.Embeds[0].Color)
			}
		}},
		{"title falls back to headline then host", func(s *summarize.Summary) { s.Title = ""; s.Headline = "" }, Options{}, func(t *testing.T, m *discordgo.MessageSend) {
			if m.Embeds[0].Title != "example.com" {
				t.Errorf("title = %q", m.Embeds[0].Title)
			}
		}},
		{"short length drops perspectives", func(*summarize.Summary) {}, Options{Length: "short"}, func(t *testing.T, m *discordgo.MessageSend) {
			for _, f := range m.Embeds[0].Fields {
				if f.Name == "Perspectives" {
					t.Error("perspectives shown for a short summary")
				}
			}
		}},
		{"empty summary", func(s *summarize.Summary) { *s = summarize.Summary{} }, Options{}, func(t *testing.T, m *discordgo.MessageSend) {
			if m.Embeds[0].Title != "Article" || len(m.Components) != 0 {
				t.Errorf("embed = %+v", m.Embeds[0])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := shortSummary()
			tt.edit(s)
			m := Summary(s, tt.opts)
			body, _ := json.Marshal(m)
			if err := fakediscord.ValidatePayload("POST", "/channels/1/messages", body); err != nil {
				t.Errorf("invalid payload: %v", err)
			}
			tt.check(t, m)
		})
	}
	if m := Summary(nil, Options{}); m == nil || len(m.Embeds) != 1 {
		t.Error("nil summary not rendered")
	}
}

func TestRenderHostileIsInert(t *testing.T) {
	t.Parallel()
	body, err := json.Marshal(Summary(hostileSummary(), Options{}))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Embeds []*discordgo.MessageEmbed `json:"embeds"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	// Markdown renders in titles, descriptions and fields; author names
	// and footers are plain text, where only mentions matter.
	var texts, plain []string
	for _, e := range v.Embeds {
		texts = append(texts, e.Title, e.Description)
		plain = append(plain, e.Footer.Text, e.Author.Name)
		for _, f := range e.Fields {
			texts = append(texts, f.Name, f.Value)
		}
	}
	all := strings.Join(texts, "\n")
	everything := all + "\n" + strings.Join(plain, "\n")
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`@(everyone|here)`),
		regexp.MustCompile(`<@[!&]?\d+>`),
		regexp.MustCompile(`<#\d+>`),
	} {
		if loc := bad.FindStringIndex(everything); loc != nil {
			t.Errorf("mention survives (%s): %q", bad, everything[max(0, loc[0]-20):min(len(everything), loc[1]+20)])
		}
	}
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile("```"),
		regexp.MustCompile(`(^|[^\\])\]\(`),          // a masked link
		regexp.MustCompile(`(?m)^#{1,3} `),           // a heading
		regexp.MustCompile(`(?m)^> fake`),            // a fake block quote
		regexp.MustCompile(`(^|[^\\])\|\|`),          // a spoiler
		regexp.MustCompile("\u202e"),                 // bidi override
		regexp.MustCompile(`(?m)^-# `),               // subtext
		regexp.MustCompile(`javascript:alert\(1\)$`), // the URL used as a link
	} {
		if loc := bad.FindStringIndex(all); loc != nil {
			t.Errorf("hostile text survives (%s): %q", bad, all[max(0, loc[0]-20):min(len(all), loc[1]+20)])
		}
	}
	if strings.Contains(string(body), `"url":"javascript`) {
		t.Error("javascript: URL used as a link")
	}
}

func TestRenderErrorAndProgress(t *testing.T) {
	t.Parallel()
	e := Error("Could not read https://example.com/a_b: @everyone <@123>")
	if e.Flags&discordgo.MessageFlagsEphemeral == 0 || !strings.HasPrefix(e.Content, "⚠️ Could not read") ||
		strings.Contains(e.Content, "@everyone") || strings.Contains(e.Content, "<@123>") {
		t.Errorf("error = %+v", e)
	}
	cb, _ := json.Marshal(discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: e})
	if err := fakediscord.ValidatePayload("POST", "/interactions/1/tok/callback", cb); err != nil {
		t.Errorf("error callback invalid: %v", err)
	}
	long := ErrorEdit(strings.Repeat("word ", 1000))
	if discordtext.Len(*long.Content) > discordtext.MaxContent {
		t.Errorf("error edit is %d long", discordtext.Len(*long.Content))
	}
	if Error("").Content != "⚠️ Something went wrong." {
		t.Errorf("empty error = %q", Error("").Content)
	}
	for _, edit := range []*discordgo.WebhookEdit{long, Progress("Reading the article…\n@here")} {
		b, _ := json.Marshal(edit)
		if err := fakediscord.ValidatePayload("PATCH", "/webhooks/1/tok/messages/@original", b); err != nil {
			t.Errorf("edit invalid: %v", err)
		}
		if len(*edit.Embeds) != 0 || len(*edit.Components) != 0 {
			t.Error("edit does not clear embeds and components")
		}
	}
	if p := Progress("Reading the article…\n@here"); *p.Content != "Reading the article… @\u200bhere" {
		t.Errorf("progress = %q", *p.Content)
	}
}

func TestRenderShare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		budget int
		need   [4]int
		want   [4]int
	}{
		{6000, [4]int{100, 200, 300, 400}, [4]int{100, 200, 300, 400}},
		{5000, [4]int{4096, 3000, 2000, 6000}, [4]int{1500, 900, 500, 2100}},
		{5000, [4]int{4096, 3000, 2000, 1000}, [4]int{2600, 900, 500, 1000}},
		{1000, [4]int{4096, 3000, 2000, 6000}, [4]int{1000, 0, 0, 0}},
		{-5, [4]int{1, 1, 1, 1}, [4]int{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		if got := renderShare(tt.budget, tt.need); got != tt.want {
			t.Errorf("renderShare(%d, %v) = %v, want %v", tt.budget, tt.need, got, tt.want)
		}
	}
}

func BenchmarkSummary(b *testing.B) {
	for _, s := range []struct {
		name string
		sum  *summarize.Summary
	}{{"short", shortSummary()}, {"long", longSummary()}} {
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				Summary(s.sum, Options{})
			}
		})
	}
}

func TestRenderSameWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		title, headline string
		same            bool
	}{
		{"US and Russia plan further Ukraine talks", "US and Russia plan further Ukraine talks", true},
		{"US and Russia plan further Ukraine talks", "US and Russia plan further Ukraine talks.", true},
		{"US and Russia plan further Ukraine talks - World News Today", "US and Russia plan further Ukraine talks", true},
		{"US and Russia plan further Ukraine talks", "US and Russia plan further talks on Ukraine", true},
		{"City council approves harbour bridge after long debate", "Council approves harbour bridge in 7-4 vote", false},
		{"Talks continue", "Talks continue after Blinken and Lavrov meet in Geneva", false},
		{"", "Council approves bridge", false},
		{"Council approves bridge", "", true},
		{"Ukraine", "Ukraine talks: what we know", false},
	} {
		if got := renderSameWords(tc.title, tc.headline); got != tc.same {
			t.Errorf("renderSameWords(%q, %q) = %v, want %v", tc.title, tc.headline, got, tc.same)
		}
	}
}
