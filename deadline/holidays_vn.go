package deadline

// Vietnam's public-service calendar for 2025–2027.
//
// Sources: the Labour Code 2019 (BLLĐ) art 112 fixes the holidays and art
// 111(3) the compensatory day when one falls on a weekly rest day; the exact
// Tết days and any swaps come from the annual notice for civil servants
// (Ministry of Labour until 2025, Ministry of Home Affairs from 2025). Entries
// whose date is not yet fixed by law or by a published notice are Provisional
// and must be replaced by the official notice when it appears; the calendar is
// data, and edits propagate through Calendar.Edit and recomputation.

const (
	nameNewYear   = "Tết Dương lịch"
	nameTet       = "Tết Nguyên đán"
	nameHungKings = "Giỗ Tổ Hùng Vương"
	nameVictory   = "Ngày Chiến thắng"
	nameLabour    = "Ngày Quốc tế Lao động"
	nameNational  = "Quốc khánh"
	basisHoliday  = "BLLĐ 2019 art 112(1)"
	basisComp     = "BLLĐ 2019 art 111(3)"
)

// VietnamHolidays returns a fresh copy of the 2025–2027 data.
func VietnamHolidays() []Holiday {
	d := MustParseDate
	tet25 := basisHoliday + "; annual notice for 2025: civil servants off Sat 25 Jan – Sun 2 Feb 2025, no make-up day [VERIFY notice number]"
	tet26 := basisHoliday + "; Ministry of Home Affairs plan for 2026: civil servants off Sat 14 – Sun 22 Feb 2026 (congan.com.vn)"
	tet27 := basisHoliday + "; ASSUMED pattern (1 day before, 4 after Lunar New Year Sat 6 Feb 2027; weekend days compensated); replace with the official notice"
	swap25 := "annual notice for 30/4–1/5/2025: Fri 2 May off, worked on Sat 26 Apr [VERIFY notice number]"
	return []Holiday{
		// 2025
		{d("2025-01-01"), nameNewYear, KindHoliday, false, basisHoliday},
		{d("2025-01-27"), nameTet, KindHoliday, false, tet25},
		{d("2025-01-28"), nameTet, KindHoliday, false, tet25},
		{d("2025-01-29"), nameTet, KindHoliday, false, tet25},
		{d("2025-01-30"), nameTet, KindHoliday, false, tet25},
		{d("2025-01-31"), nameTet, KindHoliday, false, tet25},
		{d("2025-04-07"), nameHungKings, KindHoliday, false, basisHoliday + " (10/3 lunar = Mon 7 Apr 2025)"},
		{d("2025-04-26"), "Làm bù cho ngày nghỉ 02/5/2025", KindSwapWork, false, swap25},
		{d("2025-04-30"), nameVictory, KindHoliday, false, basisHoliday},
		{d("2025-05-01"), nameLabour, KindHoliday, false, basisHoliday},
		{d("2025-05-02"), "Nghỉ hoán đổi (làm bù thứ Bảy 26/4/2025)", KindSwapOff, false, swap25},
		{d("2025-09-01"), nameNational + " (ngày liền kề)", KindHoliday, false, basisHoliday + "; adjacent day chosen by the 2025 notice"},
		{d("2025-09-02"), nameNational, KindHoliday, false, basisHoliday},

		// 2026: exactly the fixture of domain.md §11.
		{d("2026-01-01"), nameNewYear, KindHoliday, false, basisHoliday},
		{d("2026-02-16"), nameTet, KindHoliday, false, tet26},
		{d("2026-02-17"), nameTet, KindHoliday, false, tet26},
		{d("2026-02-18"), nameTet, KindHoliday, false, tet26},
		{d("2026-02-19"), nameTet, KindHoliday, false, tet26},
		{d("2026-02-20"), nameTet, KindHoliday, false, tet26},
		// Listed although it is a Sunday, so proofs name it and the
		// compensatory day below has its cause on record.
		{d("2026-04-26"), nameHungKings, KindHoliday, false, basisHoliday + " (10/3 lunar = Sun 26 Apr 2026)"},
		{d("2026-04-27"), "Nghỉ bù Giỗ Tổ Hùng Vương", KindCompensatory, false, basisComp + "; Hùng Kings' day falls on Sun 26 Apr 2026"},
		{d("2026-04-30"), nameVictory, KindHoliday, false, basisHoliday},
		{d("2026-05-01"), nameLabour, KindHoliday, false, basisHoliday},
		{d("2026-09-01"), nameNational + " (ngày liền kề)", KindHoliday, true, basisHoliday + "; adjacent day ASSUMED to be Tue 1 Sep (domain.md §11), not yet announced"},
		{d("2026-09-02"), nameNational, KindHoliday, false, basisHoliday},

		// 2027: nothing announced yet; only fixed-date statutory holidays are firm.
		{d("2027-01-01"), nameNewYear, KindHoliday, false, basisHoliday},
		{d("2027-02-05"), nameTet, KindHoliday, true, tet27},
		{d("2027-02-06"), nameTet, KindHoliday, true, tet27},
		{d("2027-02-07"), nameTet, KindHoliday, true, tet27},
		{d("2027-02-08"), nameTet, KindHoliday, true, tet27},
		{d("2027-02-09"), nameTet, KindHoliday, true, tet27},
		{d("2027-02-10"), "Nghỉ bù Tết Nguyên đán", KindCompensatory, true, basisComp + "; for Tết days on Sat 6 / Sun 7 Feb 2027 (assumed)"},
		{d("2027-02-11"), "Nghỉ bù Tết Nguyên đán", KindCompensatory, true, basisComp + "; for Tết days on Sat 6 / Sun 7 Feb 2027 (assumed)"},
		{d("2027-04-16"), nameHungKings, KindHoliday, true, basisHoliday + " (10/3 lunar computed as Fri 16 Apr 2027; confirm with the notice)"},
		{d("2027-04-30"), nameVictory, KindHoliday, false, basisHoliday},
		{d("2027-05-01"), nameLabour, KindHoliday, false, basisHoliday + " (a Saturday)"},
		{d("2027-05-03"), "Nghỉ bù Ngày Quốc tế Lao động", KindCompensatory, true, basisComp + "; 1 May 2027 is a Saturday; the notice may add swaps"},
		{d("2027-09-02"), nameNational, KindHoliday, false, basisHoliday},
		{d("2027-09-03"), nameNational + " (ngày liền kề)", KindHoliday, true, basisHoliday + "; adjacent day ASSUMED to be Fri 3 Sep 2027"},
	}
}

// VietnamCalendar covers 2025-01-01..2027-12-31. It is built on each call so
// that no package-level mutable state exists; callers keep the value.
func VietnamCalendar() *Calendar {
	c, err := NewCalendar(VietnamHolidays(), MustParseDate("2025-01-01"), MustParseDate("2027-12-31"))
	if err != nil {
		panic("deadline: built-in Vietnam calendar is invalid: " + err.Error())
	}
	return c
}
