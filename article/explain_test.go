package article

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("fetch x: %w", ErrRefusedAddress), "private"},
		{fmt.Errorf("fetch x: %w", ErrTooLarge), "too large"},
		{fmt.Errorf("fetch x: %w", ErrTimeout), "timed out"},
		{fmt.Errorf("fetch x: %w", ErrTooManyRedirects), "too many redirects"},
		{fmt.Errorf("fetch x: %w: image/png", ErrUnsupportedType), "content type image/png"},
		{fmt.Errorf("fetch x: %w", &HTTPError{StatusCode: 404}), "HTTP 404"},
		{fmt.Errorf("fetch x: %w", &HTTPError{StatusCode: 503}), "HTTP 503"},
		{fmt.Errorf("x: %w", ErrEmptyPage), "empty"},
		{fmt.Errorf("x: %w", ErrNoArticle), "paywalled"},
		{fmt.Errorf("fetch x: %w: lookup x", ErrNoSuchHost), "no such host"},
		{fmt.Errorf("fetch x: %w: dial tcp", ErrUnreachable), "couldn't connect"},
		{errors.New("boom"), "couldn't read"},
	}
	for _, tt := range tests {
		if got := Explain(tt.err); !strings.Contains(got, tt.want) {
			t.Errorf("Explain(%v) = %q, want it to mention %q", tt.err, got, tt.want)
		}
	}
	if IsPipelineError(errors.New("boom")) || !IsPipelineError(fmt.Errorf("a: %w", ErrTimeout)) {
		t.Error("IsPipelineError misclassifies")
	}
}
