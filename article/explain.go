package article

import (
	"errors"
	"fmt"
	"strings"
)

// Explain turns an error from fetching or extracting into a short sentence
// a user can act on. The wrapped chain stays in logs; this is what people
// read in Discord and on the command line. Errors that are not the
// article pipeline's own are returned as a generic message.
func Explain(err error) string {
	var he *HTTPError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &he):
		switch {
		case he.StatusCode == 401 || he.StatusCode == 403:
			return fmt.Sprintf("the site refused access (HTTP %d); it may need a login or block bots", he.StatusCode)
		case he.StatusCode == 404 || he.StatusCode == 410:
			return fmt.Sprintf("the page was not found (HTTP %d)", he.StatusCode)
		case he.StatusCode == 429:
			return "the site is rate limiting us (HTTP 429); try again later"
		case he.StatusCode >= 500:
			return fmt.Sprintf("the site had an error (HTTP %d); try again later", he.StatusCode)
		default:
			return fmt.Sprintf("the site answered HTTP %d", he.StatusCode)
		}
	case errors.Is(err, ErrRefusedAddress):
		return "refused: the link points to a private or reserved address"
	case errors.Is(err, ErrBadURL):
		return "that is not a valid http or https link"
	case errors.Is(err, ErrTooLarge):
		return "the page is too large to read"
	case errors.Is(err, ErrTimeout):
		return "timed out while fetching the page"
	case errors.Is(err, ErrTooManyRedirects):
		return "the link has too many redirects"
	case errors.Is(err, ErrUnsupportedType):
		if _, detail, ok := strings.Cut(err.Error(), ErrUnsupportedType.Error()); ok && strings.TrimSpace(strings.Trim(detail, ": ")) != "" {
			return "not an article: unsupported content type " + strings.TrimSpace(strings.Trim(detail, ": "))
		}
		return "not an article: unsupported content type"
	case errors.Is(err, ErrEmptyPage):
		return "the page is empty"
	case errors.Is(err, ErrNoSuchHost):
		return "couldn't find that site (no such host)"
	case errors.Is(err, ErrUnreachable):
		return "couldn't connect to the site; it may be down"
	case errors.Is(err, ErrNoArticle):
		return "couldn't find an article at this link; it may be paywalled or behind a login"
	}
	return "couldn't read that link"
}

// IsPipelineError reports whether err is one the article pipeline explains
// itself (as opposed to an unexpected failure worth logging loudly).
func IsPipelineError(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) || errors.Is(err, ErrRefusedAddress) || errors.Is(err, ErrBadURL) ||
		errors.Is(err, ErrTooLarge) || errors.Is(err, ErrTimeout) || errors.Is(err, ErrTooManyRedirects) ||
		errors.Is(err, ErrUnsupportedType) || errors.Is(err, ErrEmptyPage) || errors.Is(err, ErrNoArticle) ||
		errors.Is(err, ErrNoSuchHost) || errors.Is(err, ErrUnreachable)
}
