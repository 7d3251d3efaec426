package article

import (
	"errors"
	"fmt"
	"net/netip"
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
		{fmt.Errorf("fetch x: %w", &UnsupportedTypeError{MediaType: "image/png"}), "unsupported content type image/png"},
		{fmt.Errorf("content encoding %q: %w", "br", ErrUnsupportedType), "unsupported content type"},
		{fmt.Errorf("fetch x: %w", &HTTPError{StatusCode: 404}), "HTTP 404"},
		{fmt.Errorf("fetch x: %w", &HTTPError{StatusCode: 503}), "HTTP 503"},
		{fmt.Errorf("x: %w", ErrEmptyPage), "empty"},
		{fmt.Errorf("x: %w", ErrNoArticle), "paywalled"},
		{fmt.Errorf("fetch x: %w: lookup x", ErrNoSuchHost), "no such host"},
		{fmt.Errorf("fetch x: %w: dial tcp", ErrUnreachable), "couldn't connect"},
		{errors.New("boom"), "couldn't read"},
		{fmt.Errorf("fetch x: %w", refuse(netip.MustParseAddr("10.0.0.1"), "a private address")), "FETCH_ALLOW_PRIVATE=true"},
		{fmt.Errorf("fetch x: %w", refuse(netip.MustParseAddr("169.254.169.254"), "a cloud metadata address")), "metadata address (169.254.169.254), which is never fetched"},
		{fmt.Errorf("fetch x: %w", &TooLargeError{Limit: 5 << 20}), "page is too large: it is over the 5MiB limit (FETCH_MAX_BYTES)"},
		{fmt.Errorf("fetch x: %w", &TooLargeError{Limit: 20 << 20, MediaType: "application/pdf"}), "PDF is too large: it is over the 20MiB limit (PDF_MAX_BYTES)"},
		{fmt.Errorf("x: %w", ErrWalled), "paywall"},
		{fmt.Errorf("read pdf: %w", errPDFEncrypted), "encrypted"},
		{fmt.Errorf("read pdf: %w", errPDFNoText), "scanned"},
		{fmt.Errorf("read pdf: %w: malformed document", ErrBadPDF), "damaged"},
		{fmt.Errorf("read pdf: %w: malformed", ErrBadPDF), "can't be read"},
		{&UnreadableError{Reason: ReasonBlocked, Looked: true, SearchURL: "https://archive.ph/https://x", Err: fmt.Errorf("fetch x: %w", &HTTPError{StatusCode: 403})},
			"the site blocked the bot from reading this page (HTTP 403), and no archived copy of it was found; an archived copy may be listed at archive.today"},
		{&UnreadableError{Reason: ReasonWall, Err: ErrWalled}, "paywall"},
		{&UnreadableError{Reason: ReasonNotArticle, Looked: true, Err: ErrNoArticle}, "no article text on this page, and no archived copy"},
	}
	for _, tt := range tests {
		if got := Explain(tt.err); !strings.Contains(got, tt.want) {
			t.Errorf("Explain(%v) = %q, want it to mention %q", tt.err, got, tt.want)
		}
	}
	if IsPipelineError(errors.New("boom")) || !IsPipelineError(fmt.Errorf("a: %w", ErrTimeout)) ||
		!IsPipelineError(&UnreadableError{Err: &HTTPError{StatusCode: 403}}) || !IsPipelineError(ErrBadPDF) {
		t.Error("IsPipelineError misclassifies")
	}
}
