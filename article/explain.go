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
	var ue *UnreadableError
	var tl *TooLargeError
	var ut *UnsupportedTypeError
	var ae *addressError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ue):
		return explainUnreadable(ue)
	case errors.As(err, &he):
		switch {
		case he.StatusCode == 401 || he.StatusCode == 403:
			return fmt.Sprintf("the site refused access (HTTP %d); it may need a login or block bots", he.StatusCode)
		case he.StatusCode == 402:
			return "the site wants payment to show this page (HTTP 402)"
		case he.StatusCode == 451:
			return "the site withholds this page for legal reasons (HTTP 451)"
		case he.StatusCode == 404 || he.StatusCode == 410:
			return fmt.Sprintf("the page was not found (HTTP %d)", he.StatusCode)
		case he.StatusCode == 429:
			return "the site is rate limiting us (HTTP 429); try again later"
		case he.StatusCode >= 500:
			return fmt.Sprintf("the site had an error (HTTP %d); try again later", he.StatusCode)
		default:
			return fmt.Sprintf("the site answered HTTP %d", he.StatusCode)
		}
	case errors.As(err, &ae) && privateReason(ae.reason):
		return fmt.Sprintf("refused: the link points to %s (%s); the bot's operator can allow private addresses with FETCH_ALLOW_PRIVATE=true", ae.reason, ae.addr)
	case errors.As(err, &ae):
		return fmt.Sprintf("refused: the link points to %s (%s), which is never fetched", ae.reason, ae.addr)
	case errors.Is(err, ErrRefusedAddress):
		return "refused: the link points to a private or reserved address; the bot's operator can allow private addresses with FETCH_ALLOW_PRIVATE=true"
	case errors.Is(err, ErrBadURL):
		return "that is not a valid http or https link"
	case errors.As(err, &tl):
		setting := "FETCH_MAX_BYTES"
		what := "the page"
		if strings.Contains(tl.MediaType, "pdf") {
			setting, what = "PDF_MAX_BYTES", "the PDF"
		}
		return fmt.Sprintf("%s is too large: it is over the %s limit (%s)", what, formatBytes(tl.Limit), setting)
	case errors.Is(err, ErrTooLarge):
		return "the page is too large to read (FETCH_MAX_BYTES)"
	case errors.Is(err, ErrTimeout):
		return "timed out while fetching the page"
	case errors.Is(err, ErrTooManyRedirects):
		return "the link has too many redirects"
	case errors.As(err, &ut) && strings.TrimSpace(ut.MediaType) != "":
		return "not an article: unsupported content type " + strings.TrimSpace(ut.MediaType)
	case errors.Is(err, ErrUnsupportedType):
		return "not an article: unsupported content type"
	case errors.Is(err, errPDFEncrypted):
		return "the PDF is encrypted, so its text can't be read"
	case errors.Is(err, errPDFNoText):
		return "the PDF has no text to read (it may be a scanned document)"
	case errors.Is(err, ErrBadPDF):
		return "the PDF's text can't be read (it may be damaged, or a scan without text)"
	case errors.Is(err, ErrEmptyPage):
		return "the page is empty"
	case errors.Is(err, ErrNoSuchHost):
		return "couldn't find that site (no such host)"
	case errors.Is(err, ErrUnreachable):
		return "couldn't connect to the site; it may be down"
	case errors.Is(err, ErrWalled):
		return "the page is behind a paywall, a login or a cookie wall"
	case errors.Is(err, ErrNoArticle):
		return "couldn't find an article on this page; it may be paywalled or behind a login"
	}
	return "couldn't read that link"
}

// explainUnreadable words an UnreadableError: why the page could not be
// read, and whether archived copies were looked for.
func explainUnreadable(e *UnreadableError) string {
	var why string
	var he *HTTPError
	switch {
	case e.Reason == ReasonBlocked && errors.As(e.Err, &he):
		why = fmt.Sprintf("the site blocked the bot from reading this page (HTTP %d)", he.StatusCode)
	case e.Reason == ReasonBlocked:
		why = "the site blocked the bot from reading this page"
	case e.Reason == ReasonWall:
		why = "the page is behind a paywall, a login or a cookie wall"
	default:
		why = "there is no article text on this page"
	}
	if e.Looked {
		why += ", and no archived copy of it was found"
	}
	if e.SearchURL != "" {
		why += "; an archived copy may be listed at archive.today"
	}
	return why
}

// privateReason reports whether an address refusal is one that
// FETCH_ALLOW_PRIVATE lifts (metadata and unusable addresses stay refused).
func privateReason(reason string) bool {
	switch reason {
	case "a cloud metadata address", "not a unicast address", "not a valid address", "the unspecified address", "a multicast address":
		return false
	}
	return true
}

// formatBytes writes a byte count the way the settings are written: 5MiB.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// IsPipelineError reports whether err is one the article pipeline explains
// itself (as opposed to an unexpected failure worth logging loudly).
func IsPipelineError(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) || errors.Is(err, ErrRefusedAddress) || errors.Is(err, ErrBadURL) ||
		errors.Is(err, ErrTooLarge) || errors.Is(err, ErrTimeout) || errors.Is(err, ErrTooManyRedirects) ||
		errors.Is(err, ErrUnsupportedType) || errors.Is(err, ErrEmptyPage) || errors.Is(err, ErrNoArticle) ||
		errors.Is(err, ErrNoSuchHost) || errors.Is(err, ErrUnreachable) || errors.Is(err, ErrBadPDF)
}
