package summarize

// Coverage is another outlet's article on the same story as a summary's,
// found among the links and feed items of the server the summary was asked
// for in ("Also covered by"). It is never stored with the summary: what
// one server shared is not another's to see.
type Coverage struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	// Site names the outlet: its og:site_name when Precis has read the
	// page, else the link's host.
	Site string `json:"site"`
}
