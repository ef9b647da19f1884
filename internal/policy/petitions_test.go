package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The voters' petitions grants: the committee runs the cycle, delegations submit and evaluate
// what their voters raised, agencies answer only what they hold, supervisors read everywhere.
func TestVoterPetitionScopes(t *testing.T) {
	session := Case{ReceivingBodyID: "ubdngs"}
	byHanoi := Case{ReceivingBodyID: "doan-dbqh-ha-noi", HeldByBodyID: "bo-y-te"}
	committeeSide := Case{ReceivingBodyID: "ubdngs", HeldByBodyID: "bo-y-te"}
	head := Subject{Roles: []string{Head}, BodyID: "ubdngs"}
	supervisor := Subject{Roles: []string{Supervisor}, BodyID: "ubdngs"}
	officer := Subject{Roles: []string{HandlingOfficer}, BodyID: "ubdngs"}
	delegation := Subject{Roles: []string{HandlingOfficer}, BodyID: "doan-dbqh-ha-noi"}
	otherDelegation := Subject{Roles: []string{HandlingOfficer}, BodyID: "doan-dbqh-hue"}
	agency := Subject{Roles: []string{Agency}, BodyID: "bo-y-te"}
	otherAgency := Subject{Roles: []string{Agency}, BodyID: "bo-tai-chinh"}

	require.True(t, Can(head, "sessions.manage", session))
	require.True(t, Can(supervisor, "sessions.manage", session))
	require.False(t, Can(officer, "sessions.manage", session), "officers do not open or close cycles")
	require.False(t, Can(Subject{Roles: []string{Head}, BodyID: "doan-dbqh-ha-noi"}, "sessions.manage", session))
	require.True(t, Can(officer, "sessions.synthesize", session))
	require.True(t, Can(delegation, "sessions.collect", Case{ReceivingBodyID: "ubdngs", HeldByBodyID: "doan-dbqh-ha-noi"}))
	require.False(t, Can(otherDelegation, "sessions.collect", Case{ReceivingBodyID: "ubdngs", HeldByBodyID: "doan-dbqh-ha-noi"}))

	require.True(t, Can(supervisor, "voter-petitions.forward", committeeSide))
	require.True(t, Can(delegation, "voter-petitions.evaluate", byHanoi))
	require.False(t, Can(otherDelegation, "voter-petitions.evaluate", byHanoi))
	require.True(t, Can(agency, "voter-petitions.answer", committeeSide))
	require.False(t, Can(otherAgency, "voter-petitions.answer", committeeSide))
	require.False(t, Can(agency, "voter-petitions.evaluate", committeeSide), "the answering body does not judge its own answer")
	require.True(t, Can(Subject{Roles: []string{Supervisor}, BodyID: "x"}, "voter-petitions.read", byHanoi))
	require.True(t, HeldOnly(agency, "voter-petitions.list"))
	require.True(t, CanAtAll(Subject{Roles: []string{Agency}}, "sessions.read"))
	require.False(t, CanAtAll(Subject{Roles: []string{Admin}}, "voter-petitions.read"), "admins configure, they do not read content")
}
