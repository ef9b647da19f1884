package textnorm

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

func TestFoldMatchesVietnameseAcrossForms(t *testing.T) {
	composed := "Nguyễn Văn Đức"
	decomposed := norm.NFD.String(composed)
	require.NotEqual(t, composed, decomposed)
	require.Equal(t, "nguyen van duc", Fold(composed))
	require.Equal(t, "nguyen van duc", Fold(decomposed))
	require.Equal(t, "nguyen van duc", Fold("  NGUYỄN   văn đức "))
	require.Equal(t, composed, NFC(decomposed))
}

func TestProblem(t *testing.T) {
	require.Empty(t, Problem("Đơn khiếu nại\nnhiều dòng\tcó tab"))
	require.NotEmpty(t, Problem("a\x00b"))
	require.NotEmpty(t, Problem("a\x1bb"))
	require.NotEmpty(t, Problem("a\uFFFDb"))
}

func TestDigits(t *testing.T) {
	require.Equal(t, "001203004567", Digits("001 203 004 567"))
	require.Equal(t, "84912345678", Digits("+84 912-345-678"))
}
