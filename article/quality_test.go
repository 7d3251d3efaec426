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

// brief is a 60-word wire item: short, but a whole story.
const brief = `BERLIN (Reuters) - Germany's federal statistics office said on Friday that industrial output rose 1.2 percent in March from February, beating analysts' forecasts of a 0.4 percent increase. Energy-intensive sectors led the rebound, the office said, while construction output fell for a third month. Economists said the figures eased fears of a recession in the first quarter.`

func TestCheckQuality(t *testing.T) {
	t.Parallel()
	long := strings.Repeat(story+"\n\n", 4)
	tests := []struct {
		name     string
		text     string
		minWords int
		want     error
		reason   string // Quality.Reason; "" means OK
	}{
		{"good page", story, 0, nil, ""},
		{"long story mentioning subscribers is fine", long + "\n\nSubscribers only: already a subscriber? Sign in to read the newsletter.", 0, nil, ""},
		{"empty", "  \n\n ", 0, ErrEmptyPage, ReasonNotArticle},
		{"a headline and a line is not an article", "Breaking: the council voted on the bus plan. More soon.", 0, ErrNoArticle, ReasonNotArticle},
		{"short wire brief is a short item", brief, 0, nil, ReasonShort},
		{"story under a custom minimum is a short item", story, 500, nil, ReasonShort},
		{"short text that stops mid-sentence is not an item", strings.TrimSuffix(brief, "."), 0, ErrNoArticle, ReasonNotArticle},
		{"short text cut off with an ellipsis is a teaser", strings.TrimSuffix(brief, " in the first quarter.") + " …", 0, ErrWalled, ReasonWall},
		{"short text ending in read more is a teaser", brief + "\n\nRead more", 0, ErrWalled, ReasonWall},
		{"short page passes a low custom minimum", "One two three four five six.", 5, nil, ""},
		{"cookie wall", "We use cookies to improve your experience. By clicking Accept all cookies you agree to the storing of cookies on your device.\n\nManage your privacy settings\n\nAccept all cookies", 0, ErrWalled, ReasonWall},
		{"cookie wall in German", "Wir verwenden Cookies, um Inhalte zu personalisieren. Sie können Ihre Einwilligung jederzeit widerrufen.\n\nAlle Cookies akzeptieren", 0, ErrWalled, ReasonWall},
		{"login wall", "Please sign in to continue reading.\n\nDon't have an account? Create a free account to continue.\n\nEmail\n\nPassword\n\nForgot your password?", 0, ErrWalled, ReasonWall},
		{"paywall stub", "The council voted on Tuesday to expand the bus network to three new districts, after months of debate.\n\nSubscribe to continue reading. Already a subscriber? Log in.", 0, ErrWalled, ReasonWall},
		{"paywall teaser of 200 words ending in the wall", story + "\n\n" + story[:300] + "\n\nThis article is for subscribers only. Subscribe now to keep reading.", 0, ErrWalled, ReasonWall},
		{"french paywall", "Le conseil municipal a voté mardi.\n\nPour lire la suite, abonnez-vous pour 1 euro.", 0, ErrWalled, ReasonWall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &Article{Text: tt.text}
			err := CheckQuality(a, tt.minWords)
			if q := Assess(a, tt.minWords); q.Reason != tt.reason || q.OK != (tt.reason == "") {
				t.Errorf("Assess = %+v, want reason %q", q, tt.reason)
			}
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckQuality() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("CheckQuality() = %v, want an error wrapping %v", err, tt.want)
			}
			if errors.Is(tt.want, ErrNoArticle) && !strings.HasPrefix(err.Error(), "couldn't find an article at this link; it may be paywalled") {
				t.Errorf("message %q is not the user-facing one", err)
			}
		})
	}
}

// TestJudgeSignals: the page's markup tells a teaser from a short item of
// the same length.
func TestJudgeSignals(t *testing.T) {
	t.Parallel()
	mid := story + "\n\n" + story // about 260 words: longer than the minimum
	tests := []struct {
		name   string
		text   string
		sig    pageSignals
		reason string
	}{
		{"short item, no signals", brief, pageSignals{}, ReasonShort},
		{"short text marked not free", brief, pageSignals{notFree: true}, ReasonWall},
		{"short text in paywall markup", brief, pageSignals{wallElement: true}, ReasonWall},
		{"short text followed by a prompt", brief, pageSignals{prompt: true}, ReasonWall},
		{"full story marked not free is an article", mid, pageSignals{notFree: true}, ""},
		{"mid-length teaser with markup and a prompt", mid, pageSignals{wallElement: true, prompt: true}, ReasonWall},
		{"long story with every signal is an article", strings.Repeat(story+"\n\n", 5), pageSignals{notFree: true, wallElement: true, prompt: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := judge(&Article{Text: tt.text}, 0, tt.sig)
			if q.Reason != tt.reason {
				t.Fatalf("judge = %+v (%v), want reason %q", q, err, tt.reason)
			}
			if (tt.reason == ReasonWall) != errors.Is(err, ErrWalled) {
				t.Errorf("err = %v; want ErrWalled exactly for a wall", err)
			}
		})
	}
}

func TestScanSignals(t *testing.T) {
	t.Parallel()
	const lede = "The council voted on Tuesday to expand the bus network to three new districts."
	tests := []struct {
		name string
		page string
		want pageSignals
	}{
		{"plain page", "<html><body><article><p>" + lede + "</p></article><aside class=newsletter-subscribe>Subscribe to our newsletter</aside></body></html>", pageSignals{}},
		{"json-ld not free", `<html><head><script type="application/ld+json">{"@type":"NewsArticle","isAccessibleForFree": "False"}</script></head><body><p>` + lede + `</p></body></html>`, pageSignals{notFree: true}},
		{"microdata not free", `<html><body><div itemscope><meta itemprop="isAccessibleForFree" content="false"><p>` + lede + `</p></div></body></html>`, pageSignals{notFree: true}},
		{"paywall element", `<html><body><p>` + lede + `</p><div class="article-paywall">Subscribe</div></body></html>`, pageSignals{wallElement: true}},
		{"meter element", `<html><body><p>` + lede + `</p><div id="meter-banner">You have 2 stories left</div></body></html>`, pageSignals{wallElement: true}},
		{"hidden paywall box says nothing", `<html><body><p>` + lede + `</p><div class="paywall" style="display: none">Subscribe to continue reading</div></body></html>`, pageSignals{}},
		{"word containing meter is no meter", `<html><body><p>` + lede + `</p><div class="thermometer parameter">x</div></body></html>`, pageSignals{}},
		{"prompt right after the story", `<html><body><p>` + lede + `</p><div><h3>Subscribe to continue reading</h3></div></body></html>`, pageSignals{prompt: true}},
		{"prompt far from the story", `<html><body><p>` + lede + `</p><p>` + strings.Repeat("Other headlines of the day. ", 40) + `</p><div>Subscribe to continue reading</div></body></html>`, pageSignals{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := scanSignals([]byte(tt.page), lede); got != tt.want {
				t.Errorf("scanSignals = %+v, want %+v", got, tt.want)
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
