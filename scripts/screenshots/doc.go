// Package screenshots makes the pictures in the README (docs/summary.png,
// docs/digest.png): it renders a summary card and a digest through package
// render, as the bot would post them, into HTML styled like Discord's dark
// theme, and has headless Chromium take PNG screenshots of them.
//
// Redo them when the look changes (needs Debian's chromium package):
//
//	PRECIS_SCREENSHOTS=1 go test ./scripts/screenshots/
//
// The summary is the seed article's (testdata/seed/page.html) as the
// configured summarizer makes it: offline without LLM_API_KEY, by the model
// with it (LLM_BASE_URL, LLM_MODEL as for precis). PRECIS_SCREENSHOT_SUMMARY
// names a file from `precis summarize --json` to picture that summary
// instead. The digest is testdata/digest.json: three stories shared in a
// server and read from a feed (render's digest fixture without its hostile
// entry).
//
// Everything lives in the tests so that this directory adds no package
// that reaches discordgo (see TestLayering).
package screenshots
