package summarize

import (
	"reflect"
	"strings"
	"testing"

	"github.com/precisbot/precis/article"
)

const verifyArticle = `Lavrov “now has a better idea of our position and vice versa` + "\u2009.\u2009.\u2009.\u2009" + `and that’s precisely` + "\u00a0" + `why we met”, Blinken told reporters.

“I can’t say whether we are on the right track or not,” Lavrov said. „Wir sind bereit – jederzeit“, sagte Scholz. « C’est une étape importante », a déclaré Macron.

Western officials say Putin amassed more than 106,000 troops. More than 14,000 people have died since 2014. Inflation rose to 3.5% and 1.2 million people left; three rounds of talks failed.`

func TestVerifyQuotes(t *testing.T) {
	t.Parallel()
	a := &article.Article{Title: "Talks", Text: verifyArticle}
	tests := []struct {
		name        string
		in          Quote
		wantText    string // "" = dropped
		wantSpeaker string
	}{
		{"exact", Quote{"I can’t say whether we are on the right track or not", "Lavrov"}, "I can’t say whether we are on the right track or not", "Lavrov"},
		{"straight apostrophe", Quote{"I can't say whether we are on the right track or not", "Lavrov"}, "I can’t say whether we are on the right track or not", "Lavrov"},
		{"surrounding straight quotes and comma", Quote{`"I can't say whether we are on the right track or not,"`, "Lavrov"}, "I can’t say whether we are on the right track or not", "Lavrov"},
		{"surrounding curly quotes", Quote{`“I can’t say whether we are on the right track or not”`, "Sergei Lavrov"}, "I can’t say whether we are on the right track or not", "Lavrov"},
		{"first letter case", Quote{"i can't say whether we are on the right track", "Lavrov"}, "I can’t say whether we are on the right track", "Lavrov"},
		{"case inside differs", Quote{"I can't say whether We are on the right track", "Lavrov"}, "", ""},
		{"ellipsis char vs thin-spaced dots", Quote{"vice versa… and that's precisely why we met", "Blinken"}, "vice versa\u2009.\u2009.\u2009.\u2009and that’s precisely\u00a0why we met", "Blinken"},
		{"three dots", Quote{"vice versa... and that's precisely why we met", "Blinken"}, "vice versa\u2009.\u2009.\u2009.\u2009and that’s precisely\u00a0why we met", "Blinken"},
		{"white space", Quote{"and  that's\nprecisely why we met", "Blinken"}, "and that’s precisely\u00a0why we met", "Blinken"},
		{"dash variants", Quote{"Wir sind bereit - jederzeit", "Scholz"}, "Wir sind bereit – jederzeit", "Scholz"},
		{"german quotes stripped", Quote{"„Wir sind bereit — jederzeit“", "Olaf Scholz"}, "Wir sind bereit – jederzeit", "Scholz"},
		{"guillemets stripped", Quote{"« C'est une étape importante »", "Emmanuel Macron"}, "C’est une étape importante", "Macron"},
		{"fabricated", Quote{"We will never negotiate with anyone", "Lavrov"}, "", ""},
		{"paraphrase", Quote{"I cannot say whether we are on the right track", "Lavrov"}, "", ""},
		{"speaker not in article dropped", Quote{"I can't say whether we are on the right track or not", "John Smith"}, "I can’t say whether we are on the right track or not", ""},
		{"speaker with descriptor", Quote{"I can't say whether we are on the right track", "Sergei Lavrov, Russia's foreign minister"}, "I can’t say whether we are on the right track", "Lavrov"},
		{"empty", Quote{`""`, "Lavrov"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &Summary{Headline: "Talks", Summary: "Talks went on.", Quotes: []Quote{tt.in}}
			rep := Verify(s, a)
			if tt.wantText == "" {
				if len(s.Quotes) != 0 || len(rep.DroppedQuotes) != 1 {
					t.Fatalf("quote kept: %+v (report %+v)", s.Quotes, rep)
				}
				return
			}
			if len(s.Quotes) != 1 {
				t.Fatalf("quote dropped (report %+v)", rep)
			}
			if got := s.Quotes[0]; got.Text != tt.wantText || got.Speaker != tt.wantSpeaker {
				t.Errorf("got %+q, want text %q speaker %q", got, tt.wantText, tt.wantSpeaker)
			}
			if !strings.Contains(a.Text, s.Quotes[0].Text) {
				t.Errorf("kept quote %q is not the article's wording", s.Quotes[0].Text)
			}
		})
	}
}

func TestVerifyQuoteKeepsFullStop(t *testing.T) {
	t.Parallel()
	a := &article.Article{Text: `“We will understand that when we receive a written response.” He left.`}
	s := &Summary{Summary: "x", Quotes: []Quote{{"We will understand that when we receive a written response", ""}, {"we will understand that when we receive a written response.", ""}}}
	Verify(s, a)
	if len(s.Quotes) != 1 || s.Quotes[0].Text != "We will understand that when we receive a written response." {
		t.Fatalf("quotes = %+q, want one with the full stop (duplicates merged)", s.Quotes)
	}
}

func TestUnverifiedNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"Putin amassed 106,000 troops.", nil},
		{"Putin amassed 106 000 troops.", nil},
		{"Putin amassed 106.000 troops.", nil},
		{"Putin amassed 106000 troops.", nil},
		{"Putin amassed 107,000 troops.", []string{"107,000"}},
		{"14,000 have died since 2014.", nil},
		{"14,000 have died since 2015.", []string{"2015"}},
		{"Inflation hit 3.5%.", nil},
		{"Inflation hit 3,5 %.", nil},
		{"Inflation hit 4.5%.", []string{"4.5"}},
		{"1.2 million people left.", nil},
		{"1,200,000 people left.", nil},
		{"1.2m people left.", nil},
		{"1.2 billion people left.", []string{"1.2 billion"}},
		{"3 rounds failed.", nil},    // "three" in the article
		{"Four rounds failed.", nil}, // words are not checked
		{"In 2014 100 people died.", []string{"100"}},
		{"No figures here.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got := UnverifiedNumbers(tt.in, verifyArticle)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("UnverifiedNumbers(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestVerifyDropsInventedNumbers(t *testing.T) {
	t.Parallel()
	a := &article.Article{Title: "Russia masses troops", Text: verifyArticle}
	s := &Summary{
		Headline:     "250,000 troops gather",
		Summary:      "Putin amassed more than 106,000 troops, officials say. Some 9,999 people protested. More than 14,000 people have died since 2014.",
		KeyPoints:    []string{"Inflation rose to 3.5%.", "Inflation rose to 7%."},
		Perspectives: []Perspective{{"Officials", "Officials say 500 tanks moved."}, {"Lavrov", "Lavrov says he cannot say."}},
	}
	rep := Verify(s, a)
	if s.Headline != "Russia masses troops" || !rep.HeadlineReplaced {
		t.Errorf("headline = %q, want the title", s.Headline)
	}
	if want := "Putin amassed more than 106,000 troops, officials say. More than 14,000 people have died since 2014."; s.Summary != want {
		t.Errorf("summary = %q, want %q", s.Summary, want)
	}
	if !reflect.DeepEqual(s.KeyPoints, []string{"Inflation rose to 3.5%."}) {
		t.Errorf("key points = %q", s.KeyPoints)
	}
	if len(s.Perspectives) != 1 || s.Perspectives[0].Party != "Lavrov" {
		t.Errorf("perspectives = %+v", s.Perspectives)
	}
	if want := []string{"250,000", "9,999", "7", "500"}; !reflect.DeepEqual(rep.UnverifiedNumbers, want) {
		t.Errorf("unverified = %q, want %q", rep.UnverifiedNumbers, want)
	}
	if rep.DroppedSentences != 3 {
		t.Errorf("dropped = %d, want 3", rep.DroppedSentences)
	}
}

func TestVerifyEmptySummaryFallsBackToLead(t *testing.T) {
	t.Parallel()
	a := &article.Article{Title: "T", Text: "The council met on Monday. It decided nothing."}
	s := &Summary{Summary: "The council met 12 times."}
	Verify(s, a)
	if s.Summary != "The council met on Monday." {
		t.Errorf("summary = %q", s.Summary)
	}
}

func TestNeutralizeMentions(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"@everyone look", "@\u200beveryone look"},
		{"hi @here", "hi @\u200bhere"},
		{"@EVERYONE", "@\u200bEVERYONE"},
		{"<@123> and <@!456>", "<\u200b@123> and <\u200b@!456>"},
		{"role <@&789>", "role <\u200b@&789>"},
		{"channel <#42>", "channel <\u200b#42>"},
		{"command </help:1>", "command <\u200b/help:1>"},
		{"mail me at a@example.com", "mail me at a@example.com"},
		{"plain text", "plain text"},
	}
	for _, tt := range tests {
		if got := NeutralizeMentions(tt.in); got != tt.want {
			t.Errorf("NeutralizeMentions(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := NeutralizeMentions(NeutralizeMentions(tt.in)); got != tt.want {
			t.Errorf("not idempotent on %q: %q", tt.in, got)
		}
	}
}

func TestNeutralizeMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"# Big heading", "Big heading"},
		{"intro\n### Sub\nmore", "intro\nSub\nmore"},
		{"-# tiny", "tiny"},
		{"> quoted", "quoted"},
		{"[click](javascript:alert(1))", "click"},
		{"see [the report](https://example.com/a) today", "see the report today"},
		{`[x](<https://evil.example> "title")`, "x"},
		{"```code```", "`code`"},
		{"**bold** and `code` stay", "**bold** and `code` stay"},
		{"Issue #5 is open", "Issue #5 is open"},
		{"a [bracket] remark", "a [bracket] remark"},
	}
	for _, tt := range tests {
		if got := NeutralizeMarkdown(tt.in); got != tt.want {
			t.Errorf("NeutralizeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVerifyNeutralizesEveryField(t *testing.T) {
	t.Parallel()
	a := &article.Article{Title: "T", Text: "He said “@everyone come to the meeting now please” and left. Lavrov spoke."}
	s := &Summary{
		Headline:     "@everyone # News",
		Summary:      "# Heading\n[x](javascript:y) <@1>",
		KeyPoints:    []string{"@here point"},
		Quotes:       []Quote{{"@everyone come to the meeting now please", "Lavrov <@&5>"}},
		Perspectives: []Perspective{{"@here", "<#9> says"}},
	}
	Verify(s, a)
	for _, f := range []string{s.Headline, s.Summary, s.KeyPoints[0], s.Quotes[0].Text, s.Quotes[0].Speaker, s.Perspectives[0].Party, s.Perspectives[0].Position} {
		if everyoneRE().MatchString(strings.ReplaceAll(f, zwsp, "")) && !strings.Contains(f, "@"+zwsp) || mentionRE().MatchString(f) || strings.Contains(f, "](") {
			t.Errorf("field not neutralised: %q", f)
		}
	}
}

func TestSplitSentences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"Mr. Smith went to Washington. He met Dr. Jones.", []string{"Mr. Smith went to Washington.", "He met Dr. Jones."}},
		{"J. R. R. Tolkien wrote it. It sold well.", []string{"J. R. R. Tolkien wrote it.", "It sold well."}},
		{"“I can’t say,” Lavrov said. “We will see.” Then he left.", []string{"“I can’t say,” Lavrov said.", "“We will see.”", "Then he left."}},
		{"It grew 3.5% in the U.S. economy. Really?", []string{"It grew 3.5% in the U.S. economy.", "Really?"}},
		{"vice versa . . . and that’s why. Next one.", []string{"vice versa . . . and that’s why.", "Next one."}},
		{"这是第一句。这是第二句！", []string{"这是第一句。", "这是第二句！"}},
		{"Er sagte z.B. nichts. Dann ging er.", []string{"Er sagte z.B. nichts.", "Dann ging er."}},
		{`"It is less than 100. It is in the thousands," Mr Obama said. He left.`, []string{`"It is less than 100. It is in the thousands," Mr Obama said.`, "He left."}},
		{"„Das ist gut. Wir machen weiter“, sagte sie. Dann ging sie.", []string{"„Das ist gut. Wir machen weiter“, sagte sie.", "Dann ging sie."}},
		{`He said "never. Then it ended. And more.`, []string{`He said "never.`, "Then it ended.", "And more."}},
		{"Die Wahl ist am 3. Oktober. Im 19. Jahrhundert war das anders.", []string{"Die Wahl ist am 3. Oktober.", "Im 19. Jahrhundert war das anders."}},
		{"He scored 3. Then he left.", []string{"He scored 3.", "Then he left."}},
	}
	for _, tt := range tests {
		if got := splitSentences(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitSentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseOutputTolerant(t *testing.T) {
	t.Parallel()
	good := `{"headline":"H","summary":"S {braces} \"q\"","key_points":["a","b"],"quotes":[{"text":"t","speaker":"p"}],"perspectives":[{"party":"x","position":"y"}],"language":"en"}`
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"plain", good, true},
		{"fenced", "```json\n" + good + "\n```", true},
		{"prose around", "Sure, here it is:\n" + good + "\nHope this helps {really}.", true},
		{"leading broken object", `{"oops": } then ` + good, true},
		{"no json", "I cannot do that.", false},
		{"empty object", "{}", false},
		{"cut", `{"headline":"H","summary":"S`, false},
	}
	for _, tt := range tests {
		s, err := parseOutput(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.name, err, tt.ok)
			continue
		}
		if tt.ok && (s.Headline != "H" || len(s.KeyPoints) != 2 || s.Quotes[0].Speaker != "p" || s.Language != "en") {
			t.Errorf("%s: parsed %+v", tt.name, s)
		}
	}
	// Loose types: a string of points, quotes as plain strings.
	s, err := parseOutput(`{"summary":"S","key_points":"- one\n- two","quotes":["just words"]}`)
	if err != nil || !reflect.DeepEqual(s.KeyPoints, []string{"one", "two"}) || s.Quotes[0].Text != "just words" {
		t.Errorf("loose: %+v, %v", s, err)
	}
}

func TestEstimateTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abcd", 1},
		{"abcde", 2},
		{"这是第一句", 5},
		{"привет", 3},
		{strings.Repeat("word ", 100), 125},
	}
	for _, tt := range tests {
		if got := EstimateTokens(tt.in); got != tt.want {
			t.Errorf("EstimateTokens(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestChunkTextKeepsEverything(t *testing.T) {
	t.Parallel()
	var paras []string
	for i := range 40 {
		paras = append(paras, strings.Repeat("Paragraph words here. ", 5+i%7)+"End "+string(rune('A'+i%26))+".")
	}
	paras = append(paras, strings.Repeat("averyveryverylongword ", 300)) // one paragraph over budget
	text := strings.Join(paras, "\n\n")
	chunks := chunkText(text, 200)
	if len(chunks) < 5 {
		t.Fatalf("got %d chunks, want several", len(chunks))
	}
	for i, c := range chunks {
		if n := EstimateTokens(c); n > 200 {
			t.Errorf("chunk %d has %d tokens > 200", i, n)
		}
	}
	if got, want := strings.Fields(strings.Join(chunks, " ")), strings.Fields(text); !reflect.DeepEqual(got, want) {
		t.Errorf("chunks lose or reorder words: %d vs %d words", len(got), len(want))
	}
}
