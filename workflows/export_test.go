package workflows

// SetUpdatesPerRun lowers the continue-as-new threshold so a test can cross it with a few
// Updates; the returned func restores it.
func SetUpdatesPerRun(n int) (restore func()) {
	old := updatesPerRun
	updatesPerRun = n
	return func() { updatesPerRun = old }
}
