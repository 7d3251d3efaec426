package article

import (
	"errors"
	"strings"
	"testing"
)

// story is a plain news text of about 130 words.
const story = `The city council voted on Tuesday to expand the bus network to three new districts, after months of debate about cost and routes.

Supporters said the change would cut commuting times for thousands of residents who now rely on cars. Opponents argued that the budget, estimated at 40 million euros over five years, would be better spent on repairing existing roads and bridges.

The mayor said the first new line would open in the spring and that fares would stay the same. Transport officials will publish the detailed timetable next month, and residents can comment on it until the end of the year.

The vote passed by 27 to 14, with two abstentions. A similar plan was rejected four years ago.`

func TestCheckQuality(t *testing.T) {
	t.Parallel()
	long := strings.Repeat(story+"\n\n", 4)
	tests := []struct {
		name     string
		text     string
		minWords int
		want     error
	}{
		{"good page", story, 0, nil},
		{"long story mentioning subscribers is fine", long + "\n\nSubscribers only: already a subscriber? Sign in to read the newsletter.", 0, nil},
		{"empty", "  \n\n ", 0, ErrEmptyPage},
		{"short page", "Breaking: the council voted on the bus plan. More soon.", 0, ErrNoArticle},
		{"short page under a custom minimum", story, 500, ErrNoArticle},
		{"short page passes a low custom minimum", "One two three four five six.", 5, nil},
		{"cookie wall", "We use cookies to improve your experience. By clicking Accept all cookies you agree to the storing of cookies on your device.\n\nManage your privacy settings\n\nAccept all cookies", 0, ErrNoArticle},
		{"cookie wall in German", "Wir verwenden Cookies, um Inhalte zu personalisieren. Sie können Ihre Einwilligung jederzeit widerrufen.\n\nAlle Cookies akzeptieren", 0, ErrNoArticle},
		{"login wall", "Please sign in to continue reading.\n\nDon't have an account? Create a free account to continue.\n\nEmail\n\nPassword\n\nForgot your password?", 0, ErrNoArticle},
		{"paywall stub", "The council voted on Tuesday to expand the bus network to three new districts, after months of debate.\n\nSubscribe to continue reading. Already a subscriber? Log in.", 0, ErrNoArticle},
		{"paywall teaser of 200 words ending in the wall", story + "\n\n" + story[:300] + "\n\nThis article is for subscribers only. Subscribe now to keep reading.", 0, ErrNoArticle},
		{"french paywall", "Le conseil municipal a voté mardi.\n\nPour lire la suite, abonnez-vous pour 1 euro.", 0, ErrNoArticle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &Article{Text: tt.text}
			err := CheckQuality(a, tt.minWords)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckQuality() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("CheckQuality() = %v, want an error wrapping %v", err, tt.want)
			}
			if tt.want == ErrNoArticle && !strings.HasPrefix(err.Error(), "couldn't find an article at this link; it may be paywalled") {
				t.Errorf("message %q is not the user-facing one", err)
			}
		})
	}
}

func TestCheckQualityNil(t *testing.T) {
	t.Parallel()
	if err := CheckQuality(nil, 0); !errors.Is(err, ErrEmptyPage) {
		t.Fatalf("CheckQuality(nil) = %v, want ErrEmptyPage", err)
	}
}
