package deadline

import "testing"

var d = MustParseDate

// fixture2026 is the calendar of domain.md §11, built from the text of the
// spec rather than from VietnamHolidays, so the two are checked against each
// other.
func fixture2026(tb testing.TB, extra ...Holiday) *Calendar {
	tb.Helper()
	h := []Holiday{
		{Date: d("2026-01-01"), Name: "Tết Dương lịch", Kind: KindHoliday},
		{Date: d("2026-02-16"), Name: "Tết Nguyên đán", Kind: KindHoliday},
		{Date: d("2026-02-17"), Name: "Tết Nguyên đán", Kind: KindHoliday},
		{Date: d("2026-02-18"), Name: "Tết Nguyên đán", Kind: KindHoliday},
		{Date: d("2026-02-19"), Name: "Tết Nguyên đán", Kind: KindHoliday},
		{Date: d("2026-02-20"), Name: "Tết Nguyên đán", Kind: KindHoliday},
		{Date: d("2026-04-27"), Name: "Nghỉ bù Giỗ Tổ Hùng Vương", Kind: KindCompensatory},
		{Date: d("2026-04-30"), Name: "Ngày Chiến thắng", Kind: KindHoliday},
		{Date: d("2026-05-01"), Name: "Ngày Quốc tế Lao động", Kind: KindHoliday},
		{Date: d("2026-09-01"), Name: "Quốc khánh (ngày liền kề)", Kind: KindHoliday, Provisional: true},
		{Date: d("2026-09-02"), Name: "Quốc khánh", Kind: KindHoliday},
	}
	c, err := NewCalendar(append(h, extra...), d("2026-01-01"), d("2026-12-31"))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
