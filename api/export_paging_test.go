package api

// Exports read the read model page by page; a page of two rows makes every export test in
// this package cross page boundaries, so a paging bug cannot hide behind small fixtures.
func init() { exportPage = 2 }
