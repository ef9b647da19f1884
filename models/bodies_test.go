package models_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/models"
)

func str(s string) *string { return &s }

func countBodies(t *testing.T, db *gorm.DB, where string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.Model(&models.Body{}).Where(where, args...).Count(&n).Error)
	return n
}

// fieldsOf returns the fields an Invalid error names.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	require.Equal(t, apperr.Invalid, apperr.KindOf(err), "%v", err)
	var ae *apperr.Error
	require.ErrorAs(t, err, &ae)
	var out []string
	for _, f := range ae.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestSeedBuildsThe2025Structure(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	ctx := testenv.Context(t)

	require.EqualValues(t, 34, countBodies(t, db, "kind = ?", models.BodyNADelegation))
	require.EqualValues(t, 34, countBodies(t, db, "kind = ?", models.BodyProvincialCommittee))
	require.EqualValues(t, 17, countBodies(t, db, "kind = ? AND parent_id = ?", models.BodyMinistry, "chinh-phu"))
	require.EqualValues(t, 93, countBodies(t, db, "true"))
	require.EqualValues(t, 0, countBodies(t, db, "parent_id IS NOT NULL AND parent_id NOT IN (SELECT id FROM bodies)"))
	require.EqualValues(t, 1, countBodies(t, db, "parent_id IS NULL"), "one root: UBTVQH")
	require.EqualValues(t, 34, countBodies(t, db, "kind = ? AND parent_id = ?", models.BodyNADelegation, "ubdngs"))
	require.EqualValues(t, 34, countBodies(t, db, "kind = ? AND parent_id = ?", models.BodyProvincialCommittee, "chinh-phu"))
	require.EqualValues(t, 0, countBodies(t, db, "kind IN ? AND (province IS NULL OR cardinality(former_provinces) = 0)",
		[]string{models.BodyNADelegation, models.BodyProvincialCommittee}))

	want := map[string]struct{ name, kind, parent string }{
		"ubtvqh":             {"Ủy ban Thường vụ Quốc hội", models.BodyNACommittee, ""},
		"ubdngs":             {"Ủy ban Dân nguyện và Giám sát của Quốc hội", models.BodyNACommittee, "ubtvqh"},
		"chinh-phu":          {"Chính phủ", models.BodyOther, "ubtvqh"},
		"bo-tai-chinh":       {"Bộ Tài chính", models.BodyMinistry, "chinh-phu"},
		"tandtc":             {"Tòa án nhân dân tối cao", models.BodyCourt, "ubtvqh"},
		"vksndtc":            {"Viện kiểm sát nhân dân tối cao", models.BodyProcuracy, "ubtvqh"},
		"kiem-toan-nha-nuoc": {"Kiểm toán Nhà nước", models.BodyOther, "ubtvqh"},
		"doan-dbqh-ha-noi":   {"Đoàn ĐBQH Hà Nội", models.BodyNADelegation, "ubdngs"},
		"ubnd-ho-chi-minh":   {"UBND thành phố Hồ Chí Minh", models.BodyProvincialCommittee, "chinh-phu"},
		"ubnd-lai-chau":      {"UBND tỉnh Lai Châu", models.BodyProvincialCommittee, "chinh-phu"},
		"ubnd-dak-lak":       {"UBND tỉnh Đắk Lắk", models.BodyProvincialCommittee, "chinh-phu"},
	}
	for id, w := range want {
		b, err := models.GetBody(ctx, db, id)
		require.NoError(t, err, id)
		require.Equal(t, w.name, b.Name, id)
		require.Equal(t, w.kind, b.Kind, id)
		if w.parent == "" {
			require.Nil(t, b.ParentID, id)
		} else {
			require.Equal(t, w.parent, *b.ParentID, id)
		}
	}
	qn, err := models.GetBody(ctx, db, "ubnd-quang-ngai")
	require.NoError(t, err)
	require.Equal(t, "Quảng Ngãi", *qn.Province)
	require.Equal(t, models.StringList{"Quảng Ngãi", "Kon Tum"}, qn.FormerProvinces)

	// Every body escalates, step by step, to UBTVQH.
	var all []models.Body
	require.NoError(t, db.Find(&all).Error)
	idPattern := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
	for _, b := range all {
		require.Regexp(t, idPattern, b.ID)
		cur, steps := b, 0
		for {
			up, ok, err := models.SuperiorOf(ctx, db, cur.ID)
			require.NoError(t, err)
			if !ok {
				break
			}
			cur, steps = up, steps+1
			require.Less(t, steps, 5, "chain from %s", b.ID)
		}
		require.Equal(t, "ubtvqh", cur.ID, "top of %s", b.ID)
	}
}

func TestResolveProvince(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	ctx := testenv.Context(t)
	cases := map[string]string{
		"Kon Tum":                "Quảng Ngãi",
		"tỉnh Kon Tum":           "Quảng Ngãi",
		"hà giang":               "Tuyên Quang",
		"Ha Giang":               "Tuyên Quang",
		"HÀ GIANG":               "Tuyên Quang",
		"Bà Rịa - Vũng Tàu":      "Hồ Chí Minh",
		"Ba Ria Vung Tau":        "Hồ Chí Minh",
		"Thừa Thiên Huế":         "Huế",
		"Hoà Bình":               "Phú Thọ", // old-style tone placement
		"Quảng Nam":              "Đà Nẵng",
		"Hồ Chí Minh":            "Hồ Chí Minh",
		"TP Hồ Chí Minh":         "Hồ Chí Minh",
		"Thành phố Hồ Chí Minh":  "Hồ Chí Minh",
		"TP.HCM":                 "Hồ Chí Minh",
		"tp. hcm":                "Hồ Chí Minh",
		"Dak Lak":                "Đắk Lắk",
		"Thành phố Hà Nội":       "Hà Nội",
		"Thanh Hóa":              "Thanh Hóa", // "Thanh" is part of the name, not a prefix
		"Hue":                    "Huế",
		"Cần Thơ":                "Cần Thơ",
		"Ho Chi Minh":            "Hồ Chí Minh",
		"  An Giang  ":           "An Giang",
		"Kie\u0302n Giang":       "An Giang", // decomposed input
		"Kiên Giang":             "An Giang",
		"Đồng Nai":               "Đồng Nai",
		"Bình Phước":             "Đồng Nai",
		"Tỉnh Bà Rịa – Vũng Tàu": "Hồ Chí Minh",
	}
	for in, want := range cases {
		got, ok, err := models.ResolveProvince(ctx, db, in)
		require.NoError(t, err, in)
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	// Every current name maps to itself.
	var current []string
	require.NoError(t, db.Model(&models.Body{}).Distinct("province").Where("province IS NOT NULL").Pluck("province", &current).Error)
	require.Len(t, current, 34)
	for _, p := range current {
		got, ok, err := models.ResolveProvince(ctx, db, p)
		require.NoError(t, err)
		require.True(t, ok, p)
		require.Equal(t, p, got)
	}
	for _, in := range []string{"", "  ", "Atlantis", "Kon", "Hà", "tỉnh", "\x00", "Hà Giang Tuyên Quang"} {
		_, ok, err := models.ResolveProvince(ctx, db, in)
		require.NoError(t, err, in)
		require.False(t, ok, "%q", in)
	}
}

func TestCreateAndUpdateBody(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	ctx := testenv.Context(t)

	// Decomposed input is stored NFC; a province is stored in its registered spelling.
	b, err := models.CreateBody(ctx, db, models.Body{
		ID: "xa-tan-dinh", Name: "  UBND phu\u031Bo\u031B\u0300ng Tân Định ", Kind: models.BodyCommune,
		ParentID: str("ubnd-ho-chi-minh"), Province: str("TP.HCM"),
	})
	require.NoError(t, err)
	require.Equal(t, "UBND phường Tân Định", b.Name)
	require.Equal(t, "Hồ Chí Minh", *b.Province)
	require.False(t, b.CreatedAt.IsZero())
	got, err := models.GetBody(ctx, db, "xa-tan-dinh")
	require.NoError(t, err)
	require.Equal(t, "UBND phường Tân Định", got.Name)
	require.Equal(t, models.StringList{}, got.FormerProvinces)

	_, err = models.CreateBody(ctx, db, models.Body{ID: "xa-tan-dinh", Name: "again", Kind: models.BodyCommune})
	require.Equal(t, apperr.Conflict, apperr.KindOf(err))

	// Every bad field at once.
	_, err = models.CreateBody(ctx, db, models.Body{ID: "-Bad", Name: "a\x00b", Kind: "senate",
		ParentID: str("no-such-body"), Province: str("Atlantis")})
	require.ElementsMatch(t, []string{"id", "name", "kind", "parent_id", "province"}, fieldsOf(t, err))
	_, err = models.CreateBody(ctx, db, models.Body{ID: "x1", Kind: models.BodyOther, Province: str("Kon Tum")})
	require.Equal(t, []string{"name", "province"}, fieldsOf(t, err))

	up, err := models.UpdateBody(ctx, db, "xa-tan-dinh", models.Body{Name: "UBND phường Sài Gòn", Kind: models.BodyCommune,
		ParentID: str("ubnd-ho-chi-minh"), Province: str("Hồ Chí Minh"), UpdatedBy: "admin-1"})
	require.NoError(t, err)
	require.Equal(t, "UBND phường Sài Gòn", up.Name)
	require.Equal(t, "admin-1", up.UpdatedBy)
	require.True(t, up.UpdatedAt.After(b.UpdatedAt) || up.UpdatedAt.Equal(b.UpdatedAt))

	// Full replacement: an omitted parent and province become null.
	up, err = models.UpdateBody(ctx, db, "xa-tan-dinh", models.Body{ID: "xa-tan-dinh", Name: "X", Kind: models.BodyOther})
	require.NoError(t, err)
	require.Nil(t, up.ParentID)
	require.Nil(t, up.Province)

	_, err = models.UpdateBody(ctx, db, "xa-tan-dinh", models.Body{ID: "other-id", Name: "X", Kind: models.BodyOther})
	require.Equal(t, []string{"id"}, fieldsOf(t, err))
	_, err = models.UpdateBody(ctx, db, "no-such-body", models.Body{Name: "X", Kind: models.BodyOther})
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))
	_, err = models.UpdateBody(ctx, db, "bad\x00id", models.Body{Name: "X", Kind: models.BodyOther})
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))

	// Moving a provincial body elsewhere drops the former provinces, which described the old area.
	up, err = models.UpdateBody(ctx, db, "ubnd-quang-ngai", models.Body{Name: "UBND tỉnh Quảng Ngãi", Kind: models.BodyProvincialCommittee,
		ParentID: str("chinh-phu"), Province: str("Quảng Ngãi")})
	require.NoError(t, err)
	require.Equal(t, models.StringList{"Quảng Ngãi", "Kon Tum"}, up.FormerProvinces)
	up, err = models.UpdateBody(ctx, db, "ubnd-quang-ngai", models.Body{Name: "UBND tỉnh Quảng Ngãi", Kind: models.BodyProvincialCommittee,
		ParentID: str("chinh-phu"), Province: str("Gia Lai")})
	require.NoError(t, err)
	require.Equal(t, models.StringList{}, up.FormerProvinces)
}

func TestUpdateBodyRefusesCycles(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	ctx := testenv.Context(t)
	for _, b := range []models.Body{
		{ID: "c1", Name: "C1", Kind: models.BodyOther, ParentID: str("ubtvqh")},
		{ID: "c2", Name: "C2", Kind: models.BodyOther, ParentID: str("c1")},
		{ID: "c3", Name: "C3", Kind: models.BodyOther, ParentID: str("c2")},
	} {
		_, err := models.CreateBody(ctx, db, b)
		require.NoError(t, err)
	}
	for _, tc := range []struct{ id, parent string }{
		{"c1", "c1"},         // itself
		{"c1", "c3"},         // its grandchild
		{"c2", "c3"},         // its child
		{"ubtvqh", "ubdngs"}, // the root under its own child
		{"chinh-phu", "ubnd-ha-noi"},
	} {
		_, err := models.UpdateBody(ctx, db, tc.id, models.Body{Name: "N", Kind: models.BodyOther, ParentID: str(tc.parent)})
		require.Equal(t, []string{"parent_id"}, fieldsOf(t, err), "%s under %s", tc.id, tc.parent)
	}
	_, err := models.CreateBody(ctx, db, models.Body{ID: "c4", Name: "C4", Kind: models.BodyOther, ParentID: str("c4")})
	require.Equal(t, []string{"parent_id"}, fieldsOf(t, err))

	// A legal move: c3 up to the root's level.
	_, err = models.UpdateBody(ctx, db, "c3", models.Body{Name: "C3", Kind: models.BodyOther, ParentID: str("c1")})
	require.NoError(t, err)
	sup, ok, err := models.SuperiorOf(ctx, db, "c3")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "c1", sup.ID)
	_, ok, err = models.SuperiorOf(ctx, db, "ubtvqh")
	require.NoError(t, err)
	require.False(t, ok)
	_, _, err = models.SuperiorOf(ctx, db, "nobody")
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))
}

// pageAll reads every page of f and fails on a repeated id or an order break.
func pageAll(t *testing.T, ctx context.Context, db *gorm.DB, f models.BodyFilter, between func(page int)) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	for page := 0; ; page++ {
		items, next, err := models.ListBodies(ctx, db, f)
		require.NoError(t, err)
		require.LessOrEqual(t, len(items), max(f.Limit, 1))
		for _, b := range items {
			require.False(t, seen[b.ID], "repeated %s", b.ID)
			if len(ids) > 0 {
				require.Less(t, ids[len(ids)-1], b.ID)
			}
			seen[b.ID] = true
			ids = append(ids, b.ID)
		}
		if next == "" {
			return ids
		}
		f.Cursor = next
		if between != nil {
			between(page)
		}
	}
}

func TestListBodiesKeysetPaging(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	ctx := testenv.Context(t)
	var all []string
	require.NoError(t, db.Model(&models.Body{}).Order("id").Pluck("id", &all).Error)

	for _, limit := range []int{1, 7, 50, 92, 93, 500} {
		require.Equal(t, all, pageAll(t, ctx, db, models.BodyFilter{Limit: limit}, nil), "limit %d", limit)
	}
	// Rows created while paging: those before the cursor are not shown (no repeats, no shift),
	// those after it are.
	got := pageAll(t, ctx, db, models.BodyFilter{Limit: 10}, func(page int) {
		if page == 2 {
			for _, id := range []string{"00-early", "zz-late"} {
				_, err := models.CreateBody(ctx, db, models.Body{ID: id, Name: id, Kind: models.BodyOther})
				require.NoError(t, err)
			}
		}
	})
	require.Equal(t, append(append([]string{}, all...), "zz-late"), got)

	delegations := pageAll(t, ctx, db, models.BodyFilter{Kind: models.BodyNADelegation, Limit: 5}, nil)
	require.Len(t, delegations, 34)

	items, next, err := models.ListBodies(ctx, db, models.BodyFilter{})
	require.NoError(t, err)
	require.Len(t, items, models.BodyPageDefault)
	require.NotEmpty(t, next)
}

func TestListBodiesFilters(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	ctx := testenv.Context(t)
	ids := func(f models.BodyFilter) []string {
		t.Helper()
		f.Limit = 500
		items, _, err := models.ListBodies(ctx, db, f)
		require.NoError(t, err)
		out := []string{}
		for _, b := range items {
			out = append(out, b.ID)
		}
		return out
	}
	require.Equal(t, []string{"doan-dbqh-quang-ngai", "ubnd-quang-ngai"}, ids(models.BodyFilter{Province: "Kon Tum"}))
	require.Equal(t, []string{"ubnd-quang-ngai"}, ids(models.BodyFilter{Province: "Quảng Ngãi", Kind: models.BodyProvincialCommittee}))
	require.Len(t, ids(models.BodyFilter{ParentID: "chinh-phu"}), 17+34)
	require.Equal(t, []string{"bo-tai-chinh"}, ids(models.BodyFilter{Q: "tai chinh"}))
	require.Equal(t, []string{"doan-dbqh-ha-noi", "ubnd-ha-noi"}, ids(models.BodyFilter{Q: "HÀ NỘI"}))
	require.Equal(t, []string{"doan-dbqh-ha-noi"}, ids(models.BodyFilter{Q: "đoàn đbqh ha noi"}))
	require.Equal(t, []string{"doan-dbqh-ha-noi", "ubnd-ha-noi"}, ids(models.BodyFilter{Q: "ha noi", Province: "Hà Nội"}))
	require.Empty(t, ids(models.BodyFilter{Q: "%"}), "LIKE wildcards are literal")
	require.Empty(t, ids(models.BodyFilter{Q: "_"}))
	require.Empty(t, ids(models.BodyFilter{ParentID: "no-such-body"}))

	_, _, err := models.ListBodies(ctx, db, models.BodyFilter{Kind: "senate", ParentID: "Bad\x00", Province: "Atlantis",
		Q: "a\x00", Limit: 501, Cursor: "!!"})
	require.ElementsMatch(t, []string{"kind", "parent_id", "province", "q", "limit", "cursor"}, fieldsOf(t, err))
	_, _, err = models.ListBodies(ctx, db, models.BodyFilter{Limit: -1})
	require.Equal(t, []string{"limit"}, fieldsOf(t, err))
}

func TestBodyExistsAndGet(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	ctx := testenv.Context(t)
	for id, want := range map[string]bool{"ubdngs": true, "vksndtc": true, "nobody": false, "\x00": false, "": false} {
		ok, err := models.BodyExists(ctx, db, id)
		require.NoError(t, err)
		require.Equal(t, want, ok, id)
	}
	_, err := models.GetBody(ctx, db, "nobody")
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))
	_, err = models.GetBody(ctx, db, "bad\xffid")
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))
}
