package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The reception register: the body's officers and heads record and read their visits,
// supervisors read and count every body's, auditors and agencies see no content (§8).
func TestReceptionScopes(t *testing.T) {
	visit := Case{ReceivingBodyID: "ubdngs", HeldByBodyID: "ubdngs"}
	clerk := Subject{Roles: []string{ReceivingOfficer}, BodyID: "ubdngs"}
	stranger := Subject{Roles: []string{Head}, BodyID: "bo-tai-chinh"}
	supervisor := Subject{Roles: []string{Supervisor}, BodyID: "ubdngs"}

	require.True(t, Can(clerk, "receptions.create", visit))
	require.True(t, Can(clerk, "receptions.notice", visit))
	require.False(t, Can(clerk, "letters.forward", visit), "forwarding at the desk needs a handling officer or head")
	require.False(t, Can(stranger, "receptions.read", visit))
	require.True(t, Can(stranger, "reports.receptions", Case{ReceivingBodyID: "bo-tai-chinh"}))
	require.False(t, Can(stranger, "reports.receptions", visit))
	require.True(t, Can(supervisor, "receptions.read", Case{ReceivingBodyID: "x", HeldByBodyID: "x"}))
	require.True(t, ReadsAcrossBodies(supervisor, "reports.receptions"))
	require.False(t, Can(supervisor, "receptions.create", visit), "supervisors read, they do not record")
	for _, role := range []string{Auditor, Agency, Admin, Ops} {
		require.False(t, CanAtAll(Subject{Roles: []string{role}, BodyID: "ubdngs"}, "receptions.read"), role)
	}
}
