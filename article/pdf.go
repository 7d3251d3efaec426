package article

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"github.com/precisbot/precis/internal/lazyre"
)

// PDF defaults; PDF_MAX_BYTES and PDF_MAX_PAGES override the first two.
const (
	DefaultPDFMaxBytes = 20 << 20
	DefaultPDFMaxPages = 100
	DefaultPDFTimeout  = 20 * time.Second
)

// pdfMaxGlyphs bounds the work on one document whatever its page count.
const pdfMaxGlyphs = 2_000_000

// pdfMaxFormDepth bounds form XObjects drawn inside form XObjects.
const pdfMaxFormDepth = 4

// PDFOptions bounds reading PDFs. The zero value takes every default.
type PDFOptions struct {
	MaxBytes int64         // largest PDF fetched (default 20 MiB)
	MaxPages int           // pages read; later pages are left out (default 100)
	Timeout  time.Duration // time limit for extracting the text (default 20s)
}

func (o PDFOptions) withDefaults() PDFOptions {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultPDFMaxBytes
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultPDFMaxPages
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultPDFTimeout
	}
	return o
}

// ErrBadPDF is a PDF whose text cannot be read: damaged, encrypted, or
// drawn with fonts that do not say which characters they show.
var ErrBadPDF = errors.New("can't read the text of this PDF")

// The kinds of ErrBadPDF that Explain words apart.
var (
	errPDFEncrypted = fmt.Errorf("%w: it is encrypted", ErrBadPDF)
	errPDFNoText    = fmt.Errorf("%w: it has no text (a scanned document?)", ErrBadPDF)
)

// errPDFStop aborts the content-stream interpreter from inside its callback.
var errPDFStop = errors.New("pdf: stopped")

// ExtractPDF reads the text of a PDF document as an Article, without the
// quality gate. The text is laid out from the glyphs' positions: lines,
// paragraphs and columns are found from geometry, words hyphenated at line
// ends are joined again and ligatures are spelled out, so that a sentence
// quoted from the document is found verbatim in Text. Repeated page headers,
// footers and page numbers are left out. The title comes from the document's
// metadata or else its first heading. Extraction runs in its own goroutine
// and stops at ctx's end or opts.Timeout (ErrTimeout); damaged or encrypted
// documents give ErrBadPDF.
func ExtractPDF(ctx context.Context, data []byte, pageURL string, opts PDFOptions) (*Article, error) {
	opts = opts.withDefaults()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read pdf: %w", err)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, opts.Timeout, ErrTimeout)
	defer cancel()
	var stop atomic.Bool
	type result struct {
		doc *pdfDoc
		err error
	}
	done := make(chan result, 1)
	go func() {
		doc, err := readPDF(data, opts.MaxPages, &stop)
		done <- result{doc, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		stop.Store(true)
		if errors.Is(context.Cause(ctx), ErrTimeout) {
			return nil, fmt.Errorf("read pdf: no text within %s: %w", opts.Timeout, ErrTimeout)
		}
		return nil, fmt.Errorf("read pdf: %w", ctx.Err())
	}
	if res.err != nil {
		return nil, fmt.Errorf("read pdf: %w", res.err)
	}
	switch d := res.doc; {
	case d.glyphs == 0:
		return nil, fmt.Errorf("read pdf: %w", errPDFNoText)
	case d.bad*2 > d.glyphs:
		return nil, fmt.Errorf("read pdf: %w: %d of %d characters are drawn with fonts that do not say what they are", ErrBadPDF, d.bad, d.glyphs)
	}
	return res.doc.article(pageURL), nil
}

// pdfDoc is what readPDF finds in a document.
type pdfDoc struct {
	title, author string
	created       *time.Time
	pages         [][]pdfLine
	glyphs, bad   int // glyphs shown, and those without a known character
}

// readPDF parses data and collects each page's lines. It recovers from the
// panics the PDF library raises on malformed input.
func readPDF(data []byte, maxPages int, stop *atomic.Bool) (doc *pdfDoc, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, errPDFStop) {
				err = ErrTimeout
				return
			}
			doc, err = nil, fmt.Errorf("%w: malformed document: %v", ErrBadPDF, r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if strings.Contains(err.Error(), "password") || strings.Contains(err.Error(), "encrypt") {
			return nil, errPDFEncrypted
		}
		return nil, fmt.Errorf("%w: %v", ErrBadPDF, err)
	}
	doc = &pdfDoc{}
	info := r.Trailer().Key("Info")
	doc.title = strings.Join(strings.Fields(info.Key("Title").Text()), " ")
	doc.author = strings.Join(strings.Fields(info.Key("Author").Text()), " ")
	doc.created = parsePDFDate(info.Key("CreationDate").Text())
	n := min(r.NumPage(), maxPages)
	for i := 1; i <= n; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		in := &pdfInterp{stop: stop, budget: pdfMaxGlyphs - doc.glyphs}
		in.run(p.V.Key("Contents"), p.Resources(), pdfIdentity, 0)
		doc.glyphs += in.glyphs
		doc.bad += in.bad
		doc.pages = append(doc.pages, buildLines(in.items))
		if in.budget <= 0 {
			break
		}
	}
	return doc, nil
}

// parsePDFDate parses a PDF date, D:YYYYMMDDHHmmSS with an optional
// offset like +01'00' or Z.
func parsePDFDate(s string) *time.Time {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	if len(s) < 8 {
		return nil
	}
	digits := s
	if i := strings.IndexAny(s, "Zz+-"); i >= 0 {
		digits = s[:i]
	}
	layout := "20060102150405"[:min(len(digits), 14)]
	t, err := time.Parse(layout, digits[:len(layout)])
	if err != nil {
		return nil
	}
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		off := strings.ReplaceAll(strings.TrimRight(s[i+1:], "'"), "'", "")
		if len(off) >= 2 {
			var h, m int
			fmt.Sscanf(off[:2], "%d", &h)
			if len(off) >= 4 {
				fmt.Sscanf(off[2:4], "%d", &m)
			}
			sec := h*3600 + m*60
			if s[i] == '-' {
				sec = -sec
			}
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.FixedZone("", sec)).UTC()
		}
	}
	return &t
}

// pdfMatrix is a PDF transformation matrix [a b c d e f].
type pdfMatrix [6]float64

var pdfIdentity = pdfMatrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first).
func (m pdfMatrix) mul(n pdfMatrix) pdfMatrix {
	return pdfMatrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func translate(tx, ty float64) pdfMatrix { return pdfMatrix{1, 0, 0, 1, tx, ty} }

// pdfGlyph is one shown character (or ligature) on the page.
type pdfGlyph struct {
	x, y, x2 float64 // baseline start and end, in page space
	size     float64 // font size in page space
	s        string
}

// pdfFont is a font with its decoded codes cached.
type pdfFont struct {
	font      pdf.Font
	twoByte   bool
	widths    map[int]float64 // Type0 widths by CID
	defWidth  float64
	first     int
	simpleW   []float64
	codeCache map[string]string
}

func newPDFFont(v pdf.Value) *pdfFont {
	f := &pdfFont{font: pdf.Font{V: v}, codeCache: map[string]string{}}
	if v.Key("Subtype").Name() == "Type0" {
		f.twoByte = true
		f.defWidth = 1000
		desc := v.Key("DescendantFonts").Index(0)
		if dw := desc.Key("DW"); !dw.IsNull() {
			f.defWidth = dw.Float64()
		}
		f.widths = cidWidths(desc.Key("W"))
		return f
	}
	f.first = int(v.Key("FirstChar").Int64())
	w := v.Key("Widths")
	for i := 0; i < w.Len(); i++ {
		f.simpleW = append(f.simpleW, w.Index(i).Float64())
	}
	return f
}

// cidWidths reads a CIDFont's W array: c [w1 w2 ...] or c1 c2 w.
func cidWidths(w pdf.Value) map[int]float64 {
	out := map[int]float64{}
	for i := 0; i < w.Len() && len(out) < 1<<16; {
		c := int(w.Index(i).Int64())
		if i+1 >= w.Len() {
			break
		}
		if next := w.Index(i + 1); next.Kind() == pdf.Array {
			for j := 0; j < next.Len() && j < 1<<16; j++ {
				out[c+j] = next.Index(j).Float64()
			}
			i += 2
			continue
		}
		if i+2 >= w.Len() {
			break
		}
		c2, wv := int(w.Index(i+1).Int64()), w.Index(i+2).Float64()
		for k := c; k <= c2 && k-c < 1<<16; k++ {
			out[k] = wv
		}
		i += 3
	}
	return out
}

// width is a code's advance in thousandths of an em.
func (f *pdfFont) width(code int) float64 {
	if f.twoByte {
		if w, ok := f.widths[code]; ok {
			return w
		}
		return f.defWidth
	}
	if i := code - f.first; i >= 0 && i < len(f.simpleW) {
		return f.simpleW[i]
	}
	return 500 // a standard font without widths: about half an em
}

// decode maps one code to its text.
func (f *pdfFont) decode(code string) string {
	if s, ok := f.codeCache[code]; ok {
		return s
	}
	s := f.font.Encoder().Decode(code)
	f.codeCache[code] = s
	return s
}

// pdfState is the part of the graphics and text state that places text.
type pdfState struct {
	ctm                  pdfMatrix
	font                 *pdfFont
	size, charSp, wordSp float64
	scale, leading, rise float64
}

// pdfInterp runs a content stream and collects the glyphs it shows.
type pdfInterp struct {
	stop        *atomic.Bool
	items       []pdfGlyph
	glyphs, bad int
	budget      int
	tm, tlm     pdfMatrix
	state       pdfState
	stack       []pdfState
}

func (in *pdfInterp) run(content, res pdf.Value, ctm pdfMatrix, depth int) {
	if content.IsNull() {
		return
	}
	// A form XObject starts from the state it was drawn in, with its own
	// matrix and resources; the caller's state is restored after it.
	fonts := map[string]*pdfFont{}
	saved, savedStack := in.state, in.stack
	in.state = pdfState{ctm: ctm, scale: 1, font: saved.font, size: saved.size}
	in.stack = nil
	pdf.Interpret(content, func(stk *pdf.Stack, op string) {
		if in.stop.Load() {
			panic(errPDFStop)
		}
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		num := func(i int) float64 {
			if i < len(args) {
				return args[i].Float64()
			}
			return 0
		}
		st := &in.state
		switch op {
		case "q":
			in.stack = append(in.stack, *st)
		case "Q":
			if n := len(in.stack); n > 0 {
				*st = in.stack[n-1]
				in.stack = in.stack[:n-1]
			}
		case "cm":
			if len(args) == 6 {
				st.ctm = pdfMatrix{num(0), num(1), num(2), num(3), num(4), num(5)}.mul(st.ctm)
			}
		case "BT":
			in.tm, in.tlm = pdfIdentity, pdfIdentity
		case "Tc":
			st.charSp = num(0)
		case "Tw":
			st.wordSp = num(0)
		case "Tz":
			st.scale = num(0) / 100
		case "TL":
			st.leading = num(0)
		case "Ts":
			st.rise = num(0)
		case "Tf":
			if len(args) == 2 {
				name := args[0].Name()
				f, ok := fonts[name]
				if !ok {
					f = newPDFFont(res.Key("Font").Key(name))
					fonts[name] = f
				}
				st.font, st.size = f, num(1)
			}
		case "Td", "TD":
			if op == "TD" {
				st.leading = -num(1)
			}
			in.tlm = translate(num(0), num(1)).mul(in.tlm)
			in.tm = in.tlm
		case "Tm":
			if len(args) == 6 {
				in.tlm = pdfMatrix{num(0), num(1), num(2), num(3), num(4), num(5)}
				in.tm = in.tlm
			}
		case "T*":
			in.nextLine()
		case "Tj":
			if len(args) == 1 {
				in.show(args[0].RawString())
			}
		case "'":
			in.nextLine()
			if len(args) == 1 {
				in.show(args[0].RawString())
			}
		case "\"":
			if len(args) == 3 {
				st.wordSp, st.charSp = num(0), num(1)
				in.nextLine()
				in.show(args[2].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				return
			}
			a := args[0]
			for i := 0; i < a.Len(); i++ {
				v := a.Index(i)
				if v.Kind() == pdf.String {
					in.show(v.RawString())
					continue
				}
				in.tm = translate(-v.Float64()/1000*st.size*st.scale, 0).mul(in.tm)
			}
		case "Do":
			if len(args) != 1 || depth >= pdfMaxFormDepth {
				return
			}
			xo := res.Key("XObject").Key(args[0].Name())
			if xo.Key("Subtype").Name() != "Form" {
				return
			}
			m := pdfIdentity
			if mv := xo.Key("Matrix"); mv.Len() == 6 {
				for i := range 6 {
					m[i] = mv.Index(i).Float64()
				}
			}
			formRes := xo.Key("Resources")
			if formRes.IsNull() {
				formRes = res
			}
			tm, tlm := in.tm, in.tlm
			in.run(xo, formRes, m.mul(st.ctm), depth+1)
			in.tm, in.tlm = tm, tlm
		}
	})
	in.state, in.stack = saved, savedStack
}

func (in *pdfInterp) nextLine() {
	in.tlm = translate(0, -in.state.leading).mul(in.tlm)
	in.tm = in.tlm
}

// show places the glyphs of a string operand.
func (in *pdfInterp) show(raw string) {
	st := &in.state
	f := st.font
	if f == nil || in.budget <= 0 {
		return
	}
	step := 1
	if f.twoByte {
		step = 2
	}
	for i := 0; i+step <= len(raw); i += step {
		code := raw[i : i+step]
		c := int(code[0])
		if step == 2 {
			c = c<<8 | int(code[1])
		}
		trm := pdfMatrix{st.size * st.scale, 0, 0, st.size, 0, st.rise}.mul(in.tm).mul(st.ctm)
		adv := (f.width(c)/1000*st.size + st.charSp) * st.scale
		if step == 1 && c == 32 {
			adv += st.wordSp * st.scale
		}
		in.tm = translate(adv, 0).mul(in.tm)
		end := pdfMatrix{st.size * st.scale, 0, 0, st.size, 0, st.rise}.mul(in.tm).mul(st.ctm)
		s := f.decode(code)
		in.glyphs++
		in.budget--
		if strings.IndexFunc(s, unknownGlyph) >= 0 {
			in.bad++
			continue
		}
		size := math.Hypot(trm[2], trm[3])
		in.items = append(in.items, pdfGlyph{x: trm[4], y: trm[5], x2: end[4], size: size, s: s})
	}
}

// unknownGlyph reports a character that stands for a glyph whose meaning
// the font does not give: a replacement character, a control character
// or a private-use code point (what a font without a character map yields).
func unknownGlyph(r rune) bool {
	return r == utf8.RuneError || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f ||
		(r >= 0xe000 && r <= 0xf8ff)
}

// pdfLine is a run of text on one baseline, in the order it was drawn.
type pdfLine struct {
	x, x2, y, size float64
	text           string
}

// buildLines joins glyphs, in drawing order, into lines: a glyph on another
// baseline, or far from the previous one, starts a new line. Spaces are
// inserted where the gap between glyphs is wider than a fifth of an em.
func buildLines(gs []pdfGlyph) []pdfLine {
	var lines []pdfLine
	var b strings.Builder
	var cur pdfLine
	flush := func() {
		if t := strings.TrimSpace(b.String()); t != "" {
			cur.text = t
			lines = append(lines, cur)
		}
		b.Reset()
	}
	for i, g := range gs {
		if g.size <= 0 {
			g.size = 1
		}
		if i > 0 {
			prev := gs[i-1]
			em := max(g.size, prev.size)
			gap := g.x - prev.x2
			switch {
			case math.Abs(g.y-prev.y) > 0.4*em || gap > 1.5*em || gap < -0.5*em:
				flush()
				cur = pdfLine{x: g.x, y: g.y, size: g.size}
			case gap > 0.2*em && !strings.HasSuffix(b.String(), " ") && g.s != " ":
				b.WriteByte(' ')
			}
		} else {
			cur = pdfLine{x: g.x, y: g.y, size: g.size}
		}
		b.WriteString(g.s)
		cur.x2 = max(cur.x2, g.x2)
		cur.size = max(cur.size, g.size)
	}
	flush()
	for i := range lines {
		lines[i].text = strings.Join(strings.Fields(lines[i].text), " ")
	}
	return orderColumns(lines)
}

// orderColumns puts lines drawn across columns row by row (each row's
// left column, then its right one) back into column order. Most documents
// draw a column at a time, and their order is kept.
func orderColumns(lines []pdfLine) []pdfLine {
	if len(lines) < 4 {
		return lines
	}
	sameRow := 0
	for i := 1; i < len(lines); i++ {
		a, b := lines[i-1], lines[i]
		if math.Abs(a.y-b.y) < 0.4*a.size && b.x > a.x2+a.size {
			sameRow++
		}
	}
	if sameRow*3 < len(lines) {
		return lines
	}
	// Column starts: the distinct left edges of lines that follow another
	// line on the same row.
	var starts []float64
	for i := 1; i < len(lines); i++ {
		a, b := lines[i-1], lines[i]
		if math.Abs(a.y-b.y) < 0.4*a.size && b.x > a.x2+a.size {
			known := false
			for _, s := range starts {
				if math.Abs(s-b.x) < 2*b.size {
					known = true
				}
			}
			if !known {
				starts = append(starts, b.x)
			}
		}
	}
	col := func(l pdfLine) int {
		c := 0
		for _, s := range starts {
			if l.x >= s-2*l.size {
				c++
			}
		}
		return c
	}
	out := append([]pdfLine(nil), lines...)
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := col(out[i]), col(out[j])
		if ci != cj {
			return ci < cj
		}
		return out[i].y > out[j].y
	})
	return out
}

// pdfFileTitle matches metadata titles that name a file or a tool rather
// than the document.
var pdfFileTitle = lazyre.New(`(?i)^(?:microsoft (?:word|powerpoint) - .*|.*\.(?:docx?|odt|pdf|indd|rtf|pptx?|txt)|untitled.*|document\d*|slide \d+)$`)

// article lays the pages out as paragraphs and picks the title.
func (d *pdfDoc) article(pageURL string) *Article {
	furniture := repeatedLines(d.pages)
	var paras []string
	var headingSize float64
	var heading string
	for pi, lines := range d.pages {
		var kept []pdfLine
		for _, l := range lines {
			if !furniture[furnitureKey(l.text)] && !pageNumber().MatchString(l.text) {
				kept = append(kept, l)
			}
		}
		if pi == 0 && len(kept) > 0 {
			heading, headingSize = firstHeading(kept)
		}
		paras = appendParagraphs(paras, kept)
	}
	text := strings.Join(dehyphenate(paras), "\n\n")
	title := d.title
	if title == "" || pdfFileTitle().MatchString(title) {
		title = ""
		if heading != "" && headingSize > 0 {
			title = heading
			text = strings.TrimSpace(strings.TrimPrefix(text, heading))
		}
	}
	a := &Article{URL: pageURL, Title: title, Byline: d.author, Published: d.created, Text: text}
	a.Words = CountWords(a.Text)
	if u, err := url.Parse(pageURL); err == nil && u.Host != "" {
		a.Site = strings.TrimPrefix(u.Hostname(), "www.")
	}
	a.Language = detectLanguage(a.Text)
	return a
}

// pageNumber matches a line that is only a page number.
var pageNumber = lazyre.New(`(?i)^(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$`)

func furnitureKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return '#'
		}
		return unicode.ToLower(r)
	}, s)
}

// repeatedLines finds running headers and footers: lines (digits ignored)
// found on at least half the pages of a document of three or more.
func repeatedLines(pages [][]pdfLine) map[string]bool {
	out := map[string]bool{}
	if len(pages) < 3 {
		return out
	}
	count := map[string]int{}
	for _, lines := range pages {
		seen := map[string]bool{}
		for _, l := range lines {
			k := furnitureKey(l.text)
			if !seen[k] {
				seen[k] = true
				count[k]++
			}
		}
	}
	for k, n := range count {
		if 2*n >= len(pages) {
			out[k] = true
		}
	}
	return out
}

// firstHeading is the text of the leading lines of page one when they are
// set larger than the body text, and their size.
func firstHeading(lines []pdfLine) (string, float64) {
	sizes := make([]float64, len(lines))
	for i, l := range lines {
		sizes[i] = l.size
	}
	sort.Float64s(sizes)
	body := sizes[len(sizes)/2]
	var parts []string
	size := 0.0
	for _, l := range lines {
		if l.size < body*1.15 || (size > 0 && math.Abs(l.size-size) > 0.1*size) {
			break
		}
		size = l.size
		parts = append(parts, l.text)
		if len(parts) == 4 {
			break
		}
	}
	h := strings.Join(parts, " ")
	if h == "" || CountWords(h) > 30 {
		return "", 0
	}
	return h, size
}

// appendParagraphs joins a page's lines into paragraphs. A paragraph ends
// at a wider gap between lines than the usual line pitch, at a change of
// type size, at an indented line, or where a line ends short of the
// column's right edge with sentence punctuation.
func appendParagraphs(paras []string, lines []pdfLine) []string {
	if len(lines) == 0 {
		return paras
	}
	pitch := medianPitch(lines)
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, joinLines(cur))
			cur = nil
		}
	}
	for i, l := range lines {
		if i > 0 {
			prev := lines[i-1]
			dy := prev.y - l.y
			newCol := dy < -0.5*l.size || l.x > prev.x2 // moved up or right: another column or block
			sizeChange := math.Abs(l.size-prev.size) > 0.15*prev.size
			gap := !newCol && dy > max(1.4*pitch, 1.5*l.size)
			indent := !newCol && l.x > prev.x+0.8*l.size && l.x2 >= prev.x2-2*l.size
			short := prev.x2 < rightEdge(lines, i-1)-2*prev.size && endsSentence(prev.text)
			if sizeChange || gap || indent || short || (newCol && endsSentence(prev.text)) {
				flush()
			}
		}
		cur = append(cur, l.text)
	}
	flush()
	return paras
}

// rightEdge is the right edge of the column line i is set in: the
// furthest end of the lines of its type size that start near it.
func rightEdge(lines []pdfLine, i int) float64 {
	l := lines[i]
	edge := l.x2
	for _, o := range lines {
		if math.Abs(o.size-l.size) <= 0.15*l.size && math.Abs(o.x-l.x) < 3*l.size {
			edge = max(edge, o.x2)
		}
	}
	return edge
}

// medianPitch is the usual distance between consecutive baselines.
func medianPitch(lines []pdfLine) float64 {
	var ds []float64
	for i := 1; i < len(lines); i++ {
		if d := lines[i-1].y - lines[i].y; d > 0.5*lines[i].size && d < 3*lines[i].size {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return 0
	}
	sort.Float64s(ds)
	return ds[len(ds)/2]
}

// joinLines joins a paragraph's lines with spaces; a word broken with a
// hyphen at a line end is marked for dehyphenate.
func joinLines(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			prev := lines[i-1]
			switch {
			case hyphenated(prev, l):
				b.WriteString(hyphenMark)
				b.WriteString(l)
				continue
			case !endsWithHyphen(prev):
				b.WriteByte(' ')
			}
		}
		if i < len(lines)-1 && hyphenated(l, lines[i+1]) {
			l = strings.TrimRightFunc(l, isHyphen)
		}
		b.WriteString(l)
	}
	return expandLigatures(b.String())
}

// hyphenMark stands where a line-end hyphen was, until dehyphenate decides
// whether the word is a compound.
const hyphenMark = "\x00"

func isHyphen(r rune) bool { return r == '-' || r == '\u00ad' || r == '\u2010' }

// hyphenated reports whether line ends with a hyphen after a letter and
// next starts with a lower-case letter: a word broken across lines.
func hyphenated(line, next string) bool {
	r, n := utf8.DecodeLastRuneInString(line)
	if !isHyphen(r) || n == len(line) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(line[:len(line)-n])
	after, _ := utf8.DecodeRuneInString(next)
	return unicode.IsLetter(before) && unicode.IsLower(after)
}

// endsWithHyphen reports whether line ends with a hyphen attached to a
// word or number ("Anglo-", "3-"): the next line continues it without a
// space.
func endsWithHyphen(line string) bool {
	r, n := utf8.DecodeLastRuneInString(line)
	if r != '-' && r != '\u2010' || n == len(line) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(line[:len(line)-n])
	return unicode.IsLetter(before) || unicode.IsDigit(before)
}

// dehyphenate joins the halves of words broken at line ends, keeping the
// hyphen of a compound that the document also writes hyphenated elsewhere
// ("long-term").
func dehyphenate(paras []string) []string {
	all := strings.Join(paras, "\n")
	all = strings.ReplaceAll(all, "\u00ad", "")
	for i, p := range paras {
		p = strings.ReplaceAll(p, "\u00ad", "")
		for {
			k := strings.Index(p, hyphenMark)
			if k < 0 {
				break
			}
			start := strings.LastIndexFunc(p[:k], func(r rune) bool { return !unicode.IsLetter(r) }) + 1
			end := k + len(hyphenMark)
			if e := strings.IndexFunc(p[end:], func(r rune) bool { return !unicode.IsLetter(r) }); e >= 0 {
				end += e
			} else {
				end = len(p)
			}
			left, right := p[start:k], p[k+len(hyphenMark):end]
			sep := ""
			if strings.Contains(all, left+"-"+right) {
				sep = "-"
			}
			p = p[:k] + sep + p[k+len(hyphenMark):]
		}
		paras[i] = p
	}
	return paras
}

// ligatures spells out the presentation forms that fonts draw for fi, fl
// and the like, so that quoted words match.
var ligatures = strings.NewReplacer("\ufb00", "ff", "\ufb01", "fi", "\ufb02", "fl", "\ufb03", "ffi", "\ufb04", "ffl", "\ufb05", "st", "\ufb06", "st")

func expandLigatures(s string) string { return ligatures.Replace(s) }
