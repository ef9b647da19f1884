package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScopes(t *testing.T) {
	c := Case{ReceivingBodyID: "ubdngs", HeldByBodyID: "ubnd-ha-noi"}
	officer := Subject{Roles: []string{HandlingOfficer}, BodyID: "ubdngs"}
	stranger := Subject{Roles: []string{HandlingOfficer}, BodyID: "bo-tai-chinh"}
	agency := Subject{Roles: []string{Agency}, BodyID: "ubnd-ha-noi"}
	otherAgency := Subject{Roles: []string{Agency}, BodyID: "ubnd-hue"}
	supervisor := Subject{Roles: []string{Supervisor}, BodyID: "ubdngs"}

	require.True(t, Can(officer, "letters.forward", c))
	require.False(t, Can(stranger, "letters.forward", c))
	require.True(t, Can(agency, "letters.read", c))
	require.True(t, Can(agency, "letters.record-response", c))
	require.False(t, Can(agency, "letters.classify", c))
	require.False(t, Can(otherAgency, "letters.read", c))
	require.True(t, Can(supervisor, "letters.read", Case{ReceivingBodyID: "x", HeldByBodyID: "y"}))
	require.False(t, Can(supervisor, "letters.forward", c), "supervisors read, they do not act")
	require.False(t, Can(Subject{Roles: []string{Admin}}, "letters.read", c), "admins configure, they do not read content")
	require.True(t, HeldOnly(agency, "letters.list"))
	require.False(t, HeldOnly(officer, "letters.list"))
	require.True(t, ReadsAcrossBodies(supervisor, "letters.list"))
	require.False(t, Can(Subject{Roles: []string{HandlingOfficer}}, "letters.read", c), "no body, no scope")
	require.False(t, Known("letters.fly"))
}

func TestCanReveal(t *testing.T) {
	f := IdentityFacts{IntakeSub: "intake-1", Assignee: "handler-1", ReceivingBodyID: "ubdngs"}
	require.True(t, CanReveal(Subject{Roles: []string{ReceivingOfficer}, BodyID: "ubdngs"}, "intake-1", f))
	require.True(t, CanReveal(Subject{Roles: []string{HandlingOfficer}, BodyID: "ubdngs"}, "handler-1", f))
	require.True(t, CanReveal(Subject{Roles: []string{Head}, BodyID: "ubdngs"}, "head-1", f))
	require.False(t, CanReveal(Subject{Roles: []string{Head}, BodyID: "bo-tai-chinh"}, "head-2", f))
	require.False(t, CanReveal(Subject{Roles: []string{HandlingOfficer}, BodyID: "ubdngs"}, "colleague", f))
	require.False(t, CanReveal(Subject{Roles: []string{Supervisor}, BodyID: "ubdngs"}, "sup-1", f))
	f.HasGrant = true
	require.True(t, CanReveal(Subject{Roles: []string{Supervisor}, BodyID: "ubdngs"}, "sup-1", f))
}
