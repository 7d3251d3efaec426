package screenshots

import (
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/render"
	"github.com/precisbot/precis/summarize"
)

const (
	seedPage    = "../../testdata/seed/page.html"
	seedURL     = "https://worldnewstoday.example/2022/01/21/us-and-russia-plan-further-ukraine-talks/"
	digestInput = "testdata/digest.json"
	docsDir     = "../../docs"
)

func TestInline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`plain & <b>`, `plain &amp; &lt;b&gt;`},
		{`**Bold** and *it*`, `<strong>Bold</strong> and <em>it</em>`},
		{`7\-4 vote \*not italic\*`, `7-4 vote *not italic*`},
		{`• [reuters.example](<https://reuters.example/a>) · [shared in #news](https://discord.com/channels/1/2/3)`,
			`• <span class="a">reuters.example</span> · <span class="a">shared in #news</span>`},
		{`shared in <#123>`, `shared in <span class="mention"># channel</span>`},
		{`a * b`, `a * b`},
		{`**unclosed`, `<strong>unclosed</strong>`},
	} {
		if got := inline(tc.in); got != tc.want {
			t.Errorf("inline(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestBlocks(t *testing.T) {
	t.Parallel()
	got := blocks("> I can’t say\n> more\n— Lavrov\n\n-# small")
	want := `<blockquote>I can’t say<br>more</blockquote><div>— Lavrov</div><div class="gap"></div><div class="sub">small</div>`
	if got != want {
		t.Errorf("blocks:\n got %s\nwant %s", got, want)
	}
}

// TestPageShowsTheRender: what the picture shows is the render's text,
// card by card.
func TestPageShowsTheRender(t *testing.T) {
	t.Parallel()
	msgs := render.Digest(loadDigest(t))
	page := pageHTML("digest", msgs)
	for _, e := range msgs[0].Embeds {
		title := strings.TrimSpace(strings.SplitN(e.Title, ".", 2)[1])
		if !strings.Contains(page, title) {
			t.Errorf("page does not show %q", title)
		}
	}
	if strings.Count(page, `class="embed"`) != len(msgs[0].Embeds) {
		t.Errorf("page has %d embeds, want %d", strings.Count(page, `class="embed"`), len(msgs[0].Embeds))
	}
}

// TestScreenshots writes docs/summary.png and docs/digest.png.
func TestScreenshots(t *testing.T) {
	if os.Getenv("PRECIS_SCREENSHOTS") == "" {
		t.Skip("set PRECIS_SCREENSHOTS=1 to redo docs/summary.png and docs/digest.png (needs chromium)")
	}
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Fatal("no chromium: apt-get install chromium")
	}
	s := summary(t)
	shoot(t, browser, "summary", []*discordgo.MessageSend{render.Summary(s, render.Options{})})
	shoot(t, browser, "digest", render.Digest(loadDigest(t)))
}

// summary is PRECIS_SCREENSHOT_SUMMARY's summary, or the seed article's as
// the configured summarizer makes it.
func summary(t *testing.T) *summarize.Summary {
	t.Helper()
	if f := os.Getenv("PRECIS_SCREENSHOT_SUMMARY"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var s summarize.Summary
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		return &s
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(seedPage)
	if err != nil {
		t.Fatal(err)
	}
	reader := article.NewReader(article.NewFetcher(article.FetchOptions{Timeout: cfg.FetchTimeout, MaxBytes: cfg.FetchMaxBytes}), config.DefaultMinWords)
	a, err := reader.ReadBytes(body, seedURL, "")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := summarize.New(summarize.Config{
		BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel, Timeout: cfg.LLMTimeout,
		MaxTokens: cfg.LLMMaxTokens, ContextTokens: cfg.LLMContextTokens, Language: cfg.SummaryLanguage,
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sum.Summarize(context.Background(), a, summarize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Image = a.Image
	return s
}

func loadDigest(t *testing.T) *digest.Digest {
	t.Helper()
	b, err := os.ReadFile(digestInput)
	if err != nil {
		t.Fatal(err)
	}
	var d digest.Digest
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// shoot renders msgs as a page, has the browser take a screenshot of it,
// and writes it to docs/name.png cut to the messages.
func shoot(t *testing.T, browser, name string, msgs []*discordgo.MessageSend) {
	t.Helper()
	dir := t.TempDir()
	page := filepath.Join(dir, name+".html")
	if err := os.WriteFile(page, []byte(pageHTML(name, msgs)), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, name+".png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--force-device-scale-factor=1",
		"--window-size=720,6000", "--screenshot="+shot, "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	img = quantize(trim(img, 16))
	out, err := os.Create(filepath.Join(docsDir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(out, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%dx%d)", out.Name(), img.Bounds().Dx(), img.Bounds().Dy())
}

// quantize maps the picture onto its 256 most frequent colours, which a
// screenshot of flat UI and anti-aliased text fits well, so the PNG is a
// third of the size of a true-colour one.
func quantize(img image.Image) image.Image {
	b := img.Bounds()
	count := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	colors := make([]color.RGBA, 0, len(count))
	for c := range count {
		colors = append(colors, c)
	}
	sort.Slice(colors, func(i, j int) bool {
		if count[colors[i]] != count[colors[j]] {
			return count[colors[i]] > count[colors[j]]
		}
		return colorKey(colors[i]) < colorKey(colors[j])
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range colors[:min(256, len(colors))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(image.Rect(0, 0, b.Dx(), b.Dy()), pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(x-b.Min.X, y-b.Min.Y, img.At(x, y))
		}
	}
	return out
}

func colorKey(c color.RGBA) uint32 {
	return uint32(c.R)<<24 | uint32(c.G)<<16 | uint32(c.B)<<8 | uint32(c.A)
}

// trim cuts the background (the top-left pixel's colour) off the right and
// bottom, leaving margin pixels.
func trim(img image.Image, margin int) image.Image {
	b := img.Bounds()
	bg := img.At(b.Min.X, b.Min.Y)
	br, bgc, bb, _ := bg.RGBA()
	maxX, maxY := b.Min.X, b.Min.Y
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r != br || g != bgc || bl != bb {
				maxX, maxY = max(maxX, x), max(maxY, y)
			}
		}
	}
	rect := image.Rect(b.Min.X, b.Min.Y, min(b.Max.X, maxX+margin), min(b.Max.Y, maxY+margin))
	if si, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return si.SubImage(rect)
	}
	return img
}
