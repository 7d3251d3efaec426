package article

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

// The PDF fixtures in testdata/pdf were made with LibreOffice from the
// .fodt files beside them (soffice --headless --convert-to pdf X.fodt):
// embedded subset fonts with ToUnicode maps, ligature glyphs (fi, ff, ffi),
// justified text hyphenated at line ends, and two columns.

func readFixturePDF(t *testing.T, name string) *Article {
	t.Helper()
	data, err := os.ReadFile("testdata/pdf/" + name)
	if err != nil {
		t.Fatal(err)
	}
	a, err := ExtractPDF(context.Background(), data, "https://harbour.example/"+name, PDFOptions{})
	if err != nil {
		t.Fatalf("ExtractPDF(%s) = %v", name, err)
	}
	return a
}

func TestExtractPDFPressRelease(t *testing.T) {
	t.Parallel()
	a := readFixturePDF(t, "press.pdf")
	if a.Title != "Harbour Authority Confirms Ferry Service to Northfield" {
		t.Errorf("title = %q, want the first heading (the document has no title)", a.Title)
	}
	// The quote is broken over two lines with a hyphen ("af-/fordable")
	// and drawn with ligature glyphs; it must come back verbatim.
	quote := "“Our first priority is to offer commuters a reliable, affordable and environmentally responsible alternative to the congested coastal road,” said Marta Keller"
	if !strings.Contains(a.Text, quote) {
		t.Errorf("quote not found verbatim in:\n%s", a.Text)
	}
	for _, w := range []string{"approved the final financing of the project.", "The official opening ceremony"} {
		if !strings.Contains(a.Text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	if strings.HasPrefix(a.Text, "Harbour Authority") {
		t.Errorf("the heading taken as title is still in the text: %.80q", a.Text)
	}
	if paras := strings.Split(a.Text, "\n\n"); len(paras) != 4 || !strings.HasPrefix(paras[1], "“Our first") {
		t.Errorf("%d paragraphs, want 4 with the quote second: %q", len(paras), paras)
	}
	if err := CheckQuality(a, 0); err != nil || a.Site != "harbour.example" || a.Language != "en" {
		t.Errorf("quality %v, site %q, language %q", err, a.Site, a.Language)
	}
}

func TestExtractPDFTwoColumns(t *testing.T) {
	t.Parallel()
	a := readFixturePDF(t, "report.pdf")
	if a.Title != "Regional Transport Report 2024" {
		t.Errorf("title = %q, want the document's metadata title", a.Title)
	}
	assertOrder(t, a.Text, "Public Transport in the Region: Annual Report", "Section one.", "Section two.", "Section three.", "Section four.",
		"Section five.", "Section six.", "Section seven.", "Section eight.")
	for _, w := range []string{"what the office plans for the coming one.", "carried 612,000 passengers,", "the office proposes a single ticket"} {
		if !strings.Contains(a.Text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	if paras := strings.Split(a.Text, "\n\n"); len(paras) != 9 {
		t.Errorf("%d paragraphs, want 9 (heading and eight sections): %q", len(paras), paras)
	}
}

// assertOrder checks that each of parts appears in text, in order.
func assertOrder(t *testing.T, text string, parts ...string) {
	t.Helper()
	at := 0
	for _, p := range parts {
		i := strings.Index(text[at:], p)
		if i < 0 {
			t.Fatalf("%q missing or out of order in:\n%s", p, text)
		}
		at += i + len(p)
	}
}

// pdfText is a text object for makePDF: lines drawn at (x, y) in size pt.
type pdfText struct {
	x, y, size float64
	ops        string // the show operators, e.g. (Hello) Tj
}

// makePDF writes a minimal PDF whose pages draw the given texts in
// Helvetica (no Widths: readers assume half an em per glyph) in the order
// given; info is the document's Title, if any.
func makePDF(title string, pages ...[]pdfText) []byte {
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	add("<< /Type /Catalog /Pages 2 0 R >>")
	add("") // pages, filled in below
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	var kids []string
	for _, texts := range pages {
		var c strings.Builder
		for _, tx := range texts {
			fmt.Fprintf(&c, "BT /F1 %g Tf %g %g Td %s ET\n", tx.size, tx.x, tx.y, tx.ops)
		}
		content := add(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", c.Len(), c.String()))
		page := add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", font, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	info := add(fmt.Sprintf("<< /Title (%s) >>", title))
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, info, xref)
	return b.Bytes()
}

// columnPage draws two columns of lines row by row (left line, then the
// right one on the same baseline), as some generators do, with a running
// footer and a page number.
func columnPage(n int, left, right []string) []pdfText {
	var texts []pdfText
	for i := range max(len(left), len(right)) {
		y := 780 - float64(i)*14
		if i < len(left) {
			texts = append(texts, pdfText{50, y, 11, "(" + left[i] + ") Tj"})
		}
		if i < len(right) {
			texts = append(texts, pdfText{320, y, 11, "(" + right[i] + ") Tj"})
		}
	}
	texts = append(texts, pdfText{50, 40, 9, "(Harbour Authority annual review) Tj"}, pdfText{540, 40, 9, fmt.Sprintf("(%d) Tj", n)})
	return texts
}

func TestExtractPDFLayout(t *testing.T) {
	t.Parallel()
	doc := makePDF("Annual review",
		columnPage(1,
			[]string{"Left one: the harbour reopened", "in spring after the long-", "term repairs were finished."},
			[]string{"Right one: the ferry timetable", "was extended to the islands", "for the summer season."}),
		columnPage(2,
			[]string{"Left two: a long-term plan for", "the piers is due next year."},
			[]string{"Right two: fares stay the same", "for residents and students."}),
		append(columnPage(3,
			[]string{"Left three: the board meets in May."},
			[]string{"Right three: comments are welcome."}),
			// Words set apart by kerning alone, without space glyphs.
			pdfText{50, 600, 11, "[(Spaced)-300(by)-300(kerning.)] TJ"}),
	)
	a, err := ExtractPDF(context.Background(), doc, "", PDFOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The kerned line sits low in the left column: it is read before the
	// right column.
	assertOrder(t, a.Text, "Left one", "Right one", "Left two", "Right two", "Left three", "Spaced by kerning.", "Right three")
	if !strings.Contains(a.Text, "after the long-term repairs") {
		t.Errorf("a compound the document also writes hyphenated lost its hyphen: %q", a.Text)
	}
	if !strings.Contains(a.Text, "Left one: the harbour reopened in spring") {
		t.Errorf("lines of one column not joined: %q", a.Text)
	}
	if strings.Contains(a.Text, "annual review") || strings.Contains(a.Text, "\n\n2\n\n") {
		t.Errorf("running footer or page number left in: %q", a.Text)
	}
	if a.Title != "Annual review" {
		t.Errorf("title = %q", a.Title)
	}

	// Page cap: only the first two pages are read.
	a, err = ExtractPDF(context.Background(), doc, "", PDFOptions{MaxPages: 2})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.Text, "Left three") || !strings.Contains(a.Text, "Right two") {
		t.Errorf("MaxPages 2: %q", a.Text)
	}
}

func TestExtractPDFErrors(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile("testdata/pdf/press.pdf")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ExtractPDF(ctx, good, "", PDFOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	scan := makePDF("Scan", []pdfText{})
	if _, err := ExtractPDF(context.Background(), scan, "", PDFOptions{}); !errors.Is(err, ErrBadPDF) || !strings.Contains(Explain(err), "scanned") {
		t.Errorf("PDF without text: %v (%q)", err, Explain(err))
	}
	for name, data := range map[string][]byte{
		"truncated":   good[:len(good)/2],
		"not a pdf":   []byte("%PDF-1.7\nnothing here"),
		"broken xref": bytes.Replace(good, []byte("xref"), []byte("xxxx"), -1),
	} {
		if _, err := ExtractPDF(context.Background(), data, "", PDFOptions{}); !errors.Is(err, ErrBadPDF) {
			t.Errorf("%s: %v, want ErrBadPDF", name, err)
		}
	}
}

func TestReaderPDF(t *testing.T) {
	t.Parallel()
	press, err := os.ReadFile("testdata/pdf/press.pdf")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/press.pdf":
			w.Header().Set("Content-Type", "application/pdf")
		case "/download":
			w.Header().Set("Content-Type", "application/octet-stream")
		case "/binary":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write([]byte("\x00\x01 not a document"))
			return
		}
		w.Write(press)
	})
	r := NewReaderWith(loopbackFetcher(FetchOptions{MaxBytes: 1024}), ReaderOptions{})
	for _, path := range []string{"/press.pdf", "/download"} {
		a, err := r.Read(context.Background(), srv.URL+path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if a.Title != "Harbour Authority Confirms Ferry Service to Northfield" || a.Quality == nil || !a.Quality.OK {
			t.Errorf("%s: title %q quality %+v", path, a.Title, a.Quality)
		}
	}
	if _, err := r.Read(context.Background(), srv.URL+"/binary"); !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("binary download: %v, want ErrUnsupportedType", err)
	}
	small := NewReaderWith(loopbackFetcher(FetchOptions{}), ReaderOptions{PDF: PDFOptions{MaxBytes: 4096}})
	_, err = small.Read(context.Background(), srv.URL+"/press.pdf")
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 4096 || !strings.Contains(Explain(err), "PDF_MAX_BYTES") {
		t.Errorf("PDF over the cap: %v (%q)", err, Explain(err))
	}
	// A file given to the CLI.
	if a, err := r.ReadBytes(press, "", ""); err != nil || !strings.Contains(a.Text, "affordable and environmentally") {
		t.Errorf("ReadBytes(pdf) = %v", err)
	}
}

func TestJoinLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lines []string
		want  string
	}{
		{[]string{"the \ufb01nal \ufb02ight was of\ufb01cial"}, "the final flight was official"},
		{[]string{"a reliable, af-", "fordable service"}, "a reliable, affordable service"},
		{[]string{"soft\u00ad", "hyphen"}, "softhyphen"},
		{[]string{"the Anglo-", "Saxon kings"}, "the Anglo-Saxon kings"},
		{[]string{"costs 3-", "4 euros"}, "costs 3-4 euros"},
		{[]string{"prices rose -", "sharply"}, "prices rose - sharply"},
	}
	for _, tt := range tests {
		if got := dehyphenate([]string{joinLines(tt.lines)})[0]; got != tt.want {
			t.Errorf("joinLines(%q) = %q, want %q", tt.lines, got, tt.want)
		}
	}
}

// BenchmarkExtractPDF measures ExtractPDF on the two-column fixture:
//
//	go test -run '^$' -bench ExtractPDF ./article/
func BenchmarkExtractPDF(b *testing.B) {
	data, err := os.ReadFile("testdata/pdf/report.pdf")
	if err != nil {
		b.Fatal(err)
	}
	if big := os.Getenv("PRECIS_BENCH_PDF"); big != "" {
		if data, err = os.ReadFile(big); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ExtractPDF(context.Background(), data, "", PDFOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
