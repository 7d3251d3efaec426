package summarize

import (
	"math/big"
	"strings"

	"github.com/precisbot/precis/internal/lazyre"
)

// numberRE finds figures written with digits: 2014, 106,000, 3.5, 1.234,5,
// 300 000 (space-grouped), $1.2bn, 1.2 million. Group 1 is the figure, group
// 2 an attached or following scale word.
var numberRE = lazyre.New(`(?i)(\d+(?:[.,'’\x{00a0}\x{202f}\x{2009} ]\d+)*)(?:\s?(million|millions|millionen|millones|milioni|mln|billion|billions|milliard|milliards|milliarde|milliarden|mrd|trillion|trillions|thousand|thousands)\b|(bn|mn|tn|m|k)\b)?`)

var scales = map[string]int64{
	"million": 1e6, "millions": 1e6, "millionen": 1e6, "millones": 1e6,
	"milioni": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6,
	"billion": 1e9, "billions": 1e9, "milliard": 1e9, "milliards": 1e9,
	"milliarde": 1e9, "milliarden": 1e9, "mrd": 1e9, "bn": 1e9,
	"trillion": 1e12, "trillions": 1e12, "tn": 1e12,
	"thousand": 1e3, "thousands": 1e3, "k": 1e3,
}

// numberWords lets a summary write "3" where the article wrote "three".
var numberWords = map[string]int64{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
	"thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
	"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
	"eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
	"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
	"half": 2, "twice": 2, "double": 2, "once": 1, "single": 1,
}

var wordRE = lazyre.New(`\pL+`)

// numberToken is one figure found in a text with the values it may mean.
type numberToken struct {
	raw    string
	values []string // canonical rational strings
}

// numberTokens finds the figures in s. lenient widens each figure's possible
// values (every digit group on its own, the value without its scale word);
// it is used for the article side, so that a summary's figure is checked
// against every reading of the article's figures, but each of the summary's
// figures keeps only its plausible readings.
func numberTokens(s string, lenient bool) []numberToken {
	var out []numberToken
	for _, m := range numberRE().FindAllStringSubmatch(s, -1) {
		fig := strings.TrimRight(m[1], " \u00a0\u202f\u2009")
		scaleWord := strings.ToLower(m[2] + m[3])
		out = append(out, figureTokens(fig, scaleWord, lenient)...)
	}
	return out
}

func isGroupSep(r rune) bool {
	switch r {
	case ',', '.', '\'', '’', ' ', '\u00a0', '\u202f', '\u2009':
		return true
	}
	return false
}

// figureTokens reads one figure. A run like "2014 100" (space-separated
// groups that are not a valid thousands grouping) is several figures.
func figureTokens(fig, scaleWord string, lenient bool) []numberToken {
	var groups []string
	var seps []rune
	cur := strings.Builder{}
	for _, r := range fig {
		if isGroupSep(r) {
			groups = append(groups, cur.String())
			cur.Reset()
			seps = append(seps, r)
			continue
		}
		cur.WriteRune(r)
	}
	groups = append(groups, cur.String())

	// Spaces only group thousands; split at a space that does not.
	for k, sep := range seps {
		if isSpaceSep(sep) && !(len(groups[k+1]) == 3 && (k > 0 || len(groups[0]) <= 3)) {
			left := strings.TrimRight(strings.Join(joinGroups(groups[:k+1], seps[:k]), ""), " ")
			right := strings.Join(joinGroups(groups[k+1:], seps[k+1:]), "")
			out := figureTokens(left, "", lenient)
			return append(out, figureTokens(right, scaleWord, lenient)...)
		}
	}

	var vals []*big.Rat
	if len(seps) == 0 {
		vals = append(vals, ratOf(groups[0], ""))
	} else {
		// Thousands grouping: one separator kind, first group 1-3 digits,
		// the rest exactly 3.
		if sameSeps(seps) && len(groups[0]) <= 3 && restAreThree(groups[1:]) {
			vals = append(vals, ratOf(strings.Join(groups, ""), ""))
		}
		// One decimal separator.
		if len(seps) == 1 && (seps[0] == '.' || seps[0] == ',') {
			vals = append(vals, ratOf(groups[0], groups[1]))
		}
		// Grouped thousands then a different decimal separator: 1,234.5.
		if len(seps) >= 2 {
			last := seps[len(seps)-1]
			if (last == '.' || last == ',') && sameSeps(seps[:len(seps)-1]) && seps[0] != last &&
				len(groups[0]) <= 3 && restAreThree(groups[1:len(groups)-1]) {
				vals = append(vals, ratOf(strings.Join(groups[:len(groups)-1], ""), groups[len(groups)-1]))
			}
		}
		if len(vals) == 0 || lenient {
			// Dates, versions, scores ("21.01.2022", "2-1"): each group.
			for _, g := range groups {
				vals = append(vals, ratOf(g, ""))
			}
		}
	}
	tok := numberToken{raw: fig}
	if scaleWord != "" {
		tok.raw += " " + scaleWord
	}
	mult := scales[scaleWord]
	for _, v := range vals {
		if v == nil {
			continue
		}
		if mult != 0 {
			tok.values = append(tok.values, new(big.Rat).Mul(v, new(big.Rat).SetInt64(mult)).RatString())
			if lenient {
				tok.values = append(tok.values, v.RatString())
			}
			continue
		}
		tok.values = append(tok.values, v.RatString())
	}
	return []numberToken{tok}
}

func isSpaceSep(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009' }

func joinGroups(groups []string, seps []rune) []string {
	out := make([]string, 0, 2*len(groups))
	for k, g := range groups {
		if k > 0 {
			out = append(out, string(seps[k-1]))
		}
		out = append(out, g)
	}
	return out
}

func sameSeps(seps []rune) bool {
	for _, s := range seps {
		if s != seps[0] && !(isSpaceSep(s) && isSpaceSep(seps[0])) {
			return false
		}
	}
	return true
}

func restAreThree(groups []string) bool {
	for _, g := range groups {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

func ratOf(intPart, frac string) *big.Rat {
	s := intPart
	if s == "" {
		s = "0"
	}
	if frac != "" {
		s += "." + frac
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil
	}
	return r
}

// numberSet is every value the article's figures and number words may mean.
type numberSet map[string]bool

func articleNumbers(text string) numberSet {
	set := numberSet{}
	for _, t := range numberTokens(text, true) {
		for _, v := range t.values {
			set[v] = true
		}
	}
	for _, w := range wordRE().FindAllString(text, -1) {
		if v, ok := numberWords[strings.ToLower(w)]; ok {
			set[big.NewRat(v, 1).RatString()] = true
		}
	}
	return set
}

// UnverifiedNumbers returns the figures written with digits in s that do
// not occur in the article text, after normalising thousands separators,
// decimal commas and scale words ("1.2 million" = "1,200,000"). Numbers the
// article writes as words ("three") also verify "3"; numbers written as words
// in s are not checked.
func UnverifiedNumbers(s, articleText string) []string {
	return unverifiedIn(s, articleNumbers(articleText))
}

// discordTokenRE matches mention and timestamp syntax, whose ids are not
// figures (they are neutralised separately).
var discordTokenRE = lazyre.New(`<[@#/:][^<>\s]*>|<t:\d+(?::\w)?>`)

func unverifiedIn(s string, set numberSet) []string {
	s = discordTokenRE().ReplaceAllString(s, " ")
	var bad []string
	for _, t := range numberTokens(s, false) {
		ok := false
		for _, v := range t.values {
			if set[v] {
				ok = true
				break
			}
		}
		if !ok {
			bad = append(bad, t.raw)
		}
	}
	return bad
}
