package summarize

import (
	"testing"

	"github.com/precisbot/precis/article"
)

// A relative with the same surname is not the speaker.
func TestSameSurnameOtherPerson(t *testing.T) {
	text := "Donald Trump arrived late to the rally in Ohio on Saturday evening.\n\n" +
		"“My father will win this state easily,” Eric Trump said."
	s := &Summary{Summary: "x", Quotes: []Quote{{Text: "My father will win this state easily", Speaker: "Donald Trump"}}}
	Verify(s, &article.Article{Title: "T", Text: text})
	if len(s.Quotes) == 1 && s.Quotes[0].Speaker == "Donald Trump" {
		t.Errorf("quote by Eric Trump shown as said by %q", s.Quotes[0].Speaker)
	}
}
