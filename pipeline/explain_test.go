package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/digest"
)

func TestExplain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("x: %w", article.ErrTooLarge), "too large"},
		{fmt.Errorf("x: %w", article.ErrTimeout), "timed out"},
		{fmt.Errorf("x: %w", article.ErrUnsupportedType), "unsupported content type"},
		{fmt.Errorf("x: %w", article.ErrBadURL), "not a valid http or https link"},
		{fmt.Errorf("x: %w", &article.HTTPError{StatusCode: 403}), "refused access"},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), "took too long"},
		{fmt.Errorf("x: %w", ErrTooShort), "too short"},
		{&digest.UserError{Msg: "That feed is already there.", Err: errors.New("unique")}, "That feed is already there."},
	} {
		if got := Explain(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("Explain(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// A panic outside reading a page is not blamed on the page.
func TestExplainPanics(t *testing.T) {
	t.Parallel()
	if m := Explain(&PanicError{Where: "summarize"}); !strings.Contains(m, "couldn't read that page") {
		t.Errorf("summarize panic: %q", m)
	}
	if m := Explain(&PanicError{Where: "recap"}); strings.Contains(m, "page") || !strings.Contains(m, "logged") {
		t.Errorf("recap panic: %q", m)
	}
}
