package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeDocumentsEveryVariable keeps the README's configuration table complete.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	for _, v := range Vars {
		require.True(t, strings.Contains(string(raw), "`"+v.Name+"`"), "README.md does not document %s", v.Name)
	}
}
