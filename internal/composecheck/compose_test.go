// Package composecheck keeps docker-compose.yml loadable and equivalent in shape to `make run`,
// since no Docker engine runs where the tests do.
package composecheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/config"
	"github.com/dannguyen/dannguyen/internal/temporalx"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

func TestComposeFileLoads(t *testing.T) {
	root := testenv.RepoRoot()
	opts, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root), cli.WithName("dannguyen"))
	require.NoError(t, err)
	project, err := opts.LoadProject(context.Background())
	require.NoError(t, err)

	names := project.ServiceNames()
	for _, want := range []string{"postgres", "temporal", "temporal-ui", "api", "worker", "migrate"} {
		require.Contains(t, names, want)
	}
	api, err := project.GetService("api")
	require.NoError(t, err)
	require.Equal(t, []string{"api"}, []string(api.Command))
	// Every variable the app sets must be one the service reads, so a rename cannot leave the
	// compose file silently on a default.
	known := map[string]bool{}
	for _, v := range config.Vars {
		known[v.Name] = true
	}
	for name := range api.Environment {
		require.True(t, known[name], "docker-compose sets %s, which the service does not read", name)
	}
	// The search attributes registered in compose are the ones `make run` registers.
	setup, err := project.GetService("temporal-setup")
	require.NoError(t, err)
	script := strings.Join(setup.Command, " ")
	flags := temporalx.SearchAttributeFlags()
	for i := 1; i < len(flags); i += 2 {
		require.Contains(t, script, flags[i])
	}
}

func TestDockerfileBuildsTheBinary(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "Dockerfile"))
	require.NoError(t, err)
	require.Contains(t, string(raw), "./cmd/dannguyen")
	require.Contains(t, string(raw), "FROM golang:1.26")
}
