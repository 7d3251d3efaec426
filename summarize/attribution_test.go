package summarize

import (
	"strings"
	"testing"

	"github.com/precisbot/precis/article"
)

// TestVerifyAttribution checks the two rules of attribution: a quote is kept
// only where the article presents the words as quoted speech or text, and a
// speaker only where the article attributes the words to that name.
func TestVerifyAttribution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		text        string
		in          Quote
		wantText    string // "" = dropped
		wantSpeaker string
	}{
		// Quoted speech or text only.
		{"narration is no quote", "The president of the council abstained. “We will not vote for this,” said Jane Doe.",
			Quote{"The president of the council abstained.", "Jane Doe"}, "", ""},
		{"narration next to a name is no quote", "Jane Doe said the council would meet again on Monday.",
			Quote{"the council would meet again on Monday", "Jane Doe"}, "", ""},
		{"words quoted elsewhere count", "Talks failed again. Officials said talks failed again, and “talks failed again” became a slogan, Doe said.",
			Quote{"talks failed again", ""}, "talks failed again", ""},
		{"apostrophes are no quote marks", "The company's chief executive said profits rose in the region's stores.",
			Quote{"s chief executive said profits rose in the region", "Smith"}, "", ""},
		{"straight single quotes", "'It's a disaster for us,' said Mary Smith.",
			Quote{"It's a disaster for us", "Mary Smith"}, "It's a disaster for us", "Mary Smith"},
		{"block quote", "Jefferson wrote the draft.\n\n> We hold these truths to be self-evident.",
			Quote{"We hold these truths to be self-evident", ""}, "We hold these truths to be self-evident.", ""},
		{"japanese brackets", "岸田首相は「対話を続けていく」と述べた。", Quote{"対話を続けていく", "岸田"}, "対話を続けていく", "岸田"},
		{"japanese wrong speaker", "岸田首相は「対話を続けていく」と述べた。", Quote{"対話を続けていく", "安倍"}, "対話を続けていく", ""},

		// Speakers.
		{"descriptor alone never matches", "“We will not vote for this,” said Jane Doe. The president of the council abstained.",
			Quote{"We will not vote for this", "Vladimir Putin, president"}, "We will not vote for this", ""},
		{"other name in the paragraph", "“We will not vote for this,” said Jane Doe. Her rival, John Roe, abstained.",
			Quote{"We will not vote for this", "John Roe"}, "We will not vote for this", ""},
		{"surname the article uses", "“We will not vote for this,” said Jane Doe.", Quote{"We will not vote for this", "Doe"}, "We will not vote for this", "Doe"},
		{"full name", "“We will not vote for this,” Doe said.", Quote{"We will not vote for this", "Jane Doe"}, "We will not vote for this", "Doe"},
		{"name inside the quote", "“Putin is lying about the troops,” Biden said.", Quote{"Putin is lying about the troops", "Putin"}, "Putin is lying about the troops", ""},
		{"name with description", "Speaking in parliament, Bulgaria’s prime minister, Kiril Petkov, said: “Bulgaria is a sovereign country.”",
			Quote{"Bulgaria is a sovereign country.", "Kiril Petkov, Bulgaria's prime minister"}, "Bulgaria is a sovereign country.", "Kiril Petkov"},
		{"description the article writes", "Speaking in parliament, Bulgaria’s prime minister, Kiril Petkov, said: “Bulgaria is a sovereign country.”",
			Quote{"Bulgaria is a sovereign country.", "Bulgaria’s prime minister, Kiril Petkov"}, "Bulgaria is a sovereign country.", "Bulgaria’s prime minister, Kiril Petkov"},
		{"continued quotation", "“I can’t say whether we are on the right track,” Lavrov said. “We will understand that when we receive a response.”",
			Quote{"We will understand that when we receive a response.", "Lavrov"}, "We will understand that when we receive a response.", "Lavrov"},
		{"pronoun after a named speaker", "Blinken said talks would go on. “We are on a clearer path now,” he added.",
			Quote{"We are on a clearer path now", "Antony Blinken"}, "We are on a clearer path now", "Blinken"},
		{"pronoun after a mention", "Lavrov left the room first. “We will see what happens next,” he said.",
			Quote{"We will see what happens next", "Lavrov"}, "We will see what happens next", "Lavrov"},
		{"verb before the quote in the sentence", "Lavrov said Putin “was always prepared to talk to Biden” on Friday.",
			Quote{"was always prepared to talk to Biden", "Putin"}, "was always prepared to talk to Biden", ""},
		{"colon before the quote", "Blinken told reporters after the talks: “We have a clearer path.”",
			Quote{"We have a clearer path.", "Blinken"}, "We have a clearer path.", "Blinken"},
		{"according to", "“The border will stay closed,” according to Ursula von der Leyen.",
			Quote{"The border will stay closed", "von der Leyen"}, "The border will stay closed", "von der Leyen"},
		{"according to, full name", "“The border will stay closed,” according to Ursula von der Leyen.",
			Quote{"The border will stay closed", "Ursula von der Leyen"}, "The border will stay closed", "Ursula von der Leyen"},
		{"german", "„Wir sind bereit, jederzeit zu reden“, sagte Scholz am Montag.", Quote{"Wir sind bereit, jederzeit zu reden", "Olaf Scholz"}, "Wir sind bereit, jederzeit zu reden", "Scholz"},
		{"german reversed guillemets", "»Das ist ein guter Tag für Europa«, sagte Annalena Baerbock.", Quote{"Das ist ein guter Tag für Europa", "Annalena Baerbock"}, "Das ist ein guter Tag für Europa", "Annalena Baerbock"},
		{"german pronoun", "Merz kam spät. „Wir werden das prüfen“, sagte er.", Quote{"Wir werden das prüfen", "Friedrich Merz"}, "Wir werden das prüfen", "Merz"},
		{"french", "« C’est une étape importante », a déclaré Emmanuel Macron.", Quote{"C'est une étape importante", "Macron"}, "C’est une étape importante", "Macron"},
		{"french wrong speaker", "« C’est une étape importante », a déclaré Emmanuel Macron. Marine Le Pen a refusé.", Quote{"C'est une étape importante", "Marine Le Pen"}, "C’est une étape importante", ""},
		{"spanish", "“No vamos a retroceder”, dijo Pedro Sánchez en Madrid.", Quote{`"No vamos a retroceder"`, "Sánchez"}, "No vamos a retroceder", "Sánchez"},
		{"polish", "„Nie zgadzamy się na to” – powiedział Donald Tusk.", Quote{"Nie zgadzamy się na to", "Donald Tusk"}, "Nie zgadzamy się na to", "Donald Tusk"},
		{"russian", "«Мы готовы к переговорам», — заявил Лавров.", Quote{"Мы готовы к переговорам", "Сергей Лавров"}, "Мы готовы к переговорам", "Лавров"},
		{"italian", "«Non possiamo aspettare ancora», ha detto Giorgia Meloni.", Quote{"Non possiamo aspettare ancora", "Meloni"}, "Non possiamo aspettare ancora", "Meloni"},
		{"dutch", `"We gaan door met de gesprekken," aldus Rutte.`, Quote{"We gaan door met de gesprekken", "Mark Rutte"}, "We gaan door met de gesprekken", "Rutte"},
		{"unknown wording, one name", "“We will never give up,” Johnson shouted.", Quote{"We will never give up", "Johnson"}, "We will never give up", "Johnson"},
		{"unknown wording, two names", "“We will never give up,” Johnson shouted at Smith.", Quote{"We will never give up", "Smith"}, "We will never give up", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &article.Article{Title: "T", Text: tt.text}
			s := &Summary{Summary: "x", Quotes: []Quote{tt.in}}
			rep := Verify(s, a)
			if tt.wantText == "" {
				if len(s.Quotes) != 0 {
					t.Fatalf("kept %+q, want it dropped", s.Quotes)
				}
				if len(rep.NotQuoted)+len(rep.DroppedQuotes) != 1 {
					t.Errorf("report %+v", rep)
				}
				return
			}
			if len(s.Quotes) != 1 {
				t.Fatalf("dropped (report %+v)", rep)
			}
			if got := s.Quotes[0]; got.Text != tt.wantText || got.Speaker != tt.wantSpeaker {
				t.Errorf("got %+q, want text %q speaker %q", got, tt.wantText, tt.wantSpeaker)
			}
		})
	}
}

// TestExtractiveAttribution: the offline summarizer follows the same rules,
// so its quotes are quoted speech and its speakers those the article names.
func TestExtractiveAttribution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []Quote
	}{
		{"english", "The council met on Monday to discuss the budget for next year.\n\n" +
			"“We will not vote for this budget in its current form,” said Jane Doe. Her rival, John Roe, abstained.\n\n" +
			"The president of the council abstained from every vote held on Monday.\n\n" +
			"“Nobody has explained where the money for the new hospital comes from.” Some members left early.",
			[]Quote{{"We will not vote for this budget in its current form", "Jane Doe"}, {"Nobody has explained where the money for the new hospital comes from.", ""}}},
		{"german", "Der Rat hat am Montag über den Haushalt für das nächste Jahr beraten.\n\n" +
			"„Wir werden diesem Haushalt so nicht zustimmen“, sagte Anna Schmidt. Ihr Kollege Peter Weber enthielt sich.\n\n" +
			"Merz kam später in die Sitzung. „Das müssen wir alles noch einmal genau prüfen“, sagte er.",
			[]Quote{{"Wir werden diesem Haushalt so nicht zustimmen", "Anna Schmidt"}, {"Das müssen wir alles noch einmal genau prüfen", "Merz"}}},
		{"french", "Le conseil s’est réuni lundi pour discuter du budget de l’année prochaine.\n\n" +
			"« Nous ne voterons pas ce budget dans sa forme actuelle », a déclaré Marie Dupont. Jean Martin s’est abstenu.",
			[]Quote{{"Nous ne voterons pas ce budget dans sa forme actuelle", "Marie Dupont"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The quote finder without the word budget, which for these
			// short texts leaves room for one quote.
			s := &Summary{Summary: "x", Quotes: findQuotes(mapQuotes(tt.text), 5, 60, 1000, nil)}
			Verify(s, &article.Article{Title: "T", Text: tt.text})
			if len(s.Quotes) != len(tt.want) {
				t.Fatalf("quotes = %+q, want %+q", s.Quotes, tt.want)
			}
			for i, q := range s.Quotes {
				if q != tt.want[i] {
					t.Errorf("quote %d = %+q, want %+q", i, q, tt.want[i])
				}
				if strings.Contains(q.Text, "abstained") {
					t.Errorf("narration shown as a quote: %q", q.Text)
				}
			}
		})
	}
}

// TestAnnotate: which sentences lean on the one before, which credit a
// claim to somebody, which use loaded words, and how that moves scores.
func TestAnnotate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text                          string
		dependent, attributed, loaded bool
	}{
		{"The council approved the budget on Monday.", false, false, false},
		{"He added that the vote would be repeated next year.", true, false, false},
		{"The meeting was “candid” and “useful”, he added.", true, false, false},
		{"It came as Moscow clarified its demands on Friday.", true, false, false},
		{"But western unity frayed this week.", true, false, false},
		{"Lavrov said future talks would depend on preparation.", false, true, false},
		{"Future talks depend on preparation, according to the ministry.", false, true, false},
		{"Critics slammed the shocking decision.", false, false, true},
		{"Lavrov called the warnings “hysteria”.", false, false, false}, // loaded word quoted, not narrated
		{"Die Wahl findet am 3. Oktober statt, sagte er.", true, false, false},
		{"Sein Mut machte ihn bekannt.", true, false, false},
		{"Scholz sagte, die Gespräche gingen weiter.", false, true, false},
		{"Il a ajouté que le vote serait répété.", true, false, false},
		{"« Nous verrons », a-t-il dit.", true, false, false},
		{"他说，会谈将继续进行。", true, false, false},
	}
	for _, tt := range tests {
		s := &sentence{text: tt.text, score: 1}
		annotate([]*sentence{s}, mapQuotes(tt.text))
		if s.dependent != tt.dependent || s.attributed != tt.attributed || s.loaded != tt.loaded {
			t.Errorf("%q: dependent %v attributed %v loaded %v, want %v %v %v", tt.text, s.dependent, s.attributed, s.loaded, tt.dependent, tt.attributed, tt.loaded)
		}
		switch {
		case tt.loaded && s.score >= 1, tt.attributed && s.score <= 1:
			t.Errorf("%q: score %.2f", tt.text, s.score)
		}
	}
}
