package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/importer"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func read(t *testing.T, path string, o importer.Options) []importer.Row {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	format, err := importer.Format(path, "")
	require.NoError(t, err)
	rows, err := importer.ReadLetters(f, format, o)
	require.NoError(t, err)
	return rows
}

// The real public-source letters import as they are, through the API: every row becomes a
// letter, the old ones arrive overdue, and a second run registers nothing new.
func TestImportRealLettersTwice(t *testing.T) {
	path := filepath.Join(testenv.RepoRoot(), "..", "shared", "realdata", "letters.jsonl")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared/realdata is not beside the repository: %v", err)
	}
	s := testenv.NewStack(t)
	o := importer.Options{BodyID: "ubdngs", Today: deadline.DateOf(time.Now()), KeyPrefix: "import-letters"}
	rows := read(t, path, o)
	c := &importer.Client{BaseURL: s.URL, Token: testenv.DefaultToken(t)}

	first := c.ImportLetters(context.Background(), rows, 4, nil)
	require.Empty(t, first.Rejected)
	require.Equal(t, len(rows), first.Rows)
	require.Equal(t, len(rows), first.Created)
	require.Len(t, first.Letters, len(rows))
	var stored, overdue, kinds int64
	require.NoError(t, s.DB.Table("letters").Count(&stored).Error)
	require.EqualValues(t, len(rows), stored)
	// The workflows fire the past milestones just after registration; the read model
	// catches up with what the intake answers already showed.
	require.Eventually(t, func() bool {
		require.NoError(t, s.DB.Table("letters").Where("overdue").Count(&overdue).Error)
		return overdue == int64(first.Overdue)
	}, 30*time.Second, 200*time.Millisecond, "the summary's overdue figure is the read model's")
	require.Positive(t, overdue, "a backlog received weeks ago is overdue on arrival")
	require.NoError(t, s.DB.Table("letters").Where("kind = 'denunciation' AND sender_display LIKE 'Người tố cáo%'").Count(&kinds).Error)
	require.Positive(t, kinds, "denunciations are registered under a pseudonym")

	again := c.ImportLetters(context.Background(), rows, 4, nil)
	require.Empty(t, again.Rejected)
	require.Zero(t, again.Created)
	require.Equal(t, len(rows), again.Existing)
	require.Equal(t, first.Letters, again.Letters)
	require.NoError(t, s.DB.Table("letters").Count(&stored).Error)
	require.EqualValues(t, len(rows), stored)
}

// A CSV with good and bad rows: the good ones load, each bad one is reported with its line
// and every reason, and the import counts as failed.
func TestImportReportsBadRowsAndLoadsTheGoodOnes(t *testing.T) {
	s := testenv.NewStack(t)
	rows := read(t, filepath.Join("testdata", "mixed.csv"), importer.Options{BodyID: "ubdngs", Today: deadline.MustParseDate("2026-11-30"), KeyPrefix: "t"})
	require.Len(t, rows, 4)
	var progress strings.Builder
	sum := (&importer.Client{BaseURL: s.URL, Token: testenv.DefaultToken(t)}).ImportLetters(context.Background(), rows, 2, &progress)
	require.True(t, sum.Failed())
	require.Equal(t, 2, sum.Created)
	require.Len(t, sum.Rejected, 2)
	bad := sum.Rejected[0]
	require.Equal(t, 3, bad.Line)
	require.Equal(t, 422, bad.Status)
	joined := strings.Join(bad.Fields, "\n")
	for _, field := range []string{"kind:", "received_on:", "subject:", "senders:"} {
		require.Contains(t, joined, field)
	}
	require.Equal(t, 4, sum.Rejected[1].Line)
	require.Contains(t, sum.Rejected[1].Reason, "signer_count")
	require.Contains(t, progress.String(), "4/4 rows (100%)")

	var out strings.Builder
	sum.Print(&out)
	require.Contains(t, out.String(), "line 3 rejected (422)")
	require.Contains(t, out.String(), "2 created")
	var formula string
	require.NoError(t, s.DB.Raw("SELECT subject FROM letters WHERE subject LIKE '=HYPER%'").Scan(&formula).Error)
	require.Empty(t, formula, "the row with a bad signer_count never reached the API")
}

// The real voters' petitions import as they are into a session, in chunks; a second run
// stores nothing twice; a file with bad rows reports them with their line in the file.
func TestImportPetitionsInChunks(t *testing.T) {
	path := filepath.Join(testenv.RepoRoot(), "..", "shared", "realdata", "voter_petitions.jsonl")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared/realdata is not beside the repository: %v", err)
	}
	s := testenv.NewStack(t)
	res := testenv.Do(t, "POST", s.URL+"/v1/sessions", map[string]any{"term": "XV", "number": 11,
		"opens_on": "2026-05-20", "closes_on": "2026-06-26", "next_opens_on": "2026-10-20"})
	require.Equal(t, 201, res.Status, res.String())
	session := res.Map(t)["id"].(string)
	c := &importer.Client{BaseURL: s.URL, Token: testenv.DefaultToken(t)}
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	var progress strings.Builder
	first, err := c.ImportPetitions(context.Background(), session, data, "jsonl", false, 10, &progress)
	require.NoError(t, err)
	require.Empty(t, first.Rejected)
	require.Equal(t, 39, first.Rows)
	require.Equal(t, 39, first.Imported)
	require.Contains(t, progress.String(), "4/4 requests (100%)")
	again, err := c.ImportPetitions(context.Background(), session, data, "jsonl", false, 10, nil)
	require.NoError(t, err)
	require.Zero(t, again.Imported)
	require.Equal(t, 39, again.Existing)
	var stored int64
	require.NoError(t, s.DB.Table("petitions").Where("session_id = ?", session).Count(&stored).Error)
	require.EqualValues(t, 39, stored)

	bad := []byte("{\"delegation\":\"Huế\",\"phase\":\"before\",\"topic\":\"y tế\",\"text\":\"Đề nghị bổ sung bác sĩ cho trạm y tế xã.\",\"voter_count\":12}\n" +
		"{\"delegation\":\"Huế\",\"phase\":\"sometime\",\"text\":\"\"}\n" +
		"\n" +
		"not json\n")
	sum, err := c.ImportPetitions(context.Background(), session, bad, "jsonl", false, 1, nil)
	require.NoError(t, err)
	require.True(t, sum.Failed())
	require.Equal(t, 1, sum.Imported)
	require.Len(t, sum.Rejected, 2)
	require.Equal(t, 2, sum.Rejected[0].Line, "line numbers are the file's, across chunks")
	require.Contains(t, sum.Rejected[0].Reason, "phase")
	require.Contains(t, sum.Rejected[0].Reason, "text")
	require.Equal(t, 4, sum.Rejected[1].Line)

	atomic, err := c.ImportPetitions(context.Background(), session, bad, "jsonl", true, 1, nil)
	require.NoError(t, err)
	require.Zero(t, atomic.Imported, "all or nothing")
	require.Len(t, atomic.Rejected, 2)
}
