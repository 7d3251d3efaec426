package summarize

import "github.com/precisbot/precis/article"

// ShortItemModel is Summary.Model for a short news item shown in full.
const ShortItemModel = "short-item"

// ShortItem is the card for a short but real news item (a wire brief the
// quality gate judged short, not walled): its headline and its whole text,
// with no model call, since summarising forty words would only lose some.
func ShortItem(a *article.Article) *Summary {
	return &Summary{
		URL: a.URL, Title: a.Title, Site: a.Site, Byline: a.Byline,
		Headline: cleanLine(a.Title), Summary: cleanText(a.Text),
		KeyPoints: []string{}, Quotes: []Quote{}, Perspectives: []Perspective{},
		Language: a.Language, Model: ShortItemModel, Words: a.Words,
	}
}
