package web_test

import (
	"os"
	"testing"

	"github.com/dannguyen/dannguyen/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
