// Package textnorm normalises Vietnamese text the same way everywhere: NFC for storage, and a
// folded form (no diacritics, đ→d, lower case, single spaces) for matching, so "nguyen van duc"
// finds "Nguyễn Văn Đức" whether the input arrived composed (NFC) or decomposed (NFD).
package textnorm

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode normalisation form C, trimmed.
func NFC(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }

// Fold removes diacritics, maps đ/Đ to d, lowers case and collapses white space.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.NewReplacer("đ", "d", "Đ", "d").Replace(out)
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}

// Problem returns why s is not acceptable text for a field, or "" when it is: invalid
// characters (NUL and other control characters except tab and newlines) are refused rather
// than stored, because they break exports and terminals downstream.
func Problem(s string) string {
	for _, r := range s {
		if r == unicode.ReplacementChar {
			return "contains an invalid character (U+FFFD)"
		}
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return "contains a control character"
		}
	}
	return ""
}

// Digits keeps only ASCII digits (ID and phone numbers are text, compared by digits).
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
