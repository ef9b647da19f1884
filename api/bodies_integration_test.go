package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/testenv"
)

type bodyJSON struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Kind            string   `json:"kind"`
	ParentID        *string  `json:"parent_id"`
	Province        *string  `json:"province"`
	FormerProvinces []string `json:"former_provinces"`
	CreatedAt       string   `json:"created_at"`
	UpdatedAt       string   `json:"updated_at"`
}

type bodyPage struct {
	Items      []bodyJSON `json:"items"`
	NextCursor *string    `json:"next_cursor"`
}

// requireBodyProblem checks a problem+json answer and, for a 422, that field is listed.
func requireBodyProblem(t *testing.T, res testenv.Response, status int, field string) {
	t.Helper()
	require.Equal(t, status, res.Status, string(res.Body))
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	doc := res.Map(t)
	require.EqualValues(t, status, doc["status"])
	if field == "" {
		return
	}
	var fields []string
	errs, _ := doc["errors"].([]any)
	for _, e := range errs {
		fields = append(fields, e.(map[string]any)["field"].(string))
	}
	require.Contains(t, fields, field, string(res.Body))
}

func listBodyIDs(t *testing.T, base, query string) []string {
	t.Helper()
	res := testenv.Do(t, "GET", base+"/v1/bodies?limit=500&"+query, nil)
	require.Equal(t, 200, res.Status, string(res.Body))
	var page bodyPage
	res.JSON(t, &page)
	require.Nil(t, page.NextCursor)
	ids := []string{}
	for _, b := range page.Items {
		ids = append(ids, b.ID)
	}
	return ids
}

func TestBodiesListFiltersAndPaging(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)

	// Default page size, then every page by cursor: 93 seeded bodies, none twice, in id order.
	res := testenv.Do(t, "GET", s.URL+"/v1/bodies", nil)
	require.Equal(t, 200, res.Status, string(res.Body))
	var first bodyPage
	res.JSON(t, &first)
	require.Len(t, first.Items, 50)
	require.NotNil(t, first.NextCursor)

	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 20)
		res := testenv.Do(t, "GET", s.URL+"/v1/bodies?limit=20&cursor="+url.QueryEscape(cursor), nil)
		require.Equal(t, 200, res.Status, string(res.Body))
		var page bodyPage
		res.JSON(t, &page)
		for _, b := range page.Items {
			if len(all) > 0 {
				require.Less(t, all[len(all)-1], b.ID)
			}
			all = append(all, b.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	require.Len(t, all, 93)

	require.Len(t, listBodyIDs(t, s.URL, "kind=na_delegation"), 34)
	require.Len(t, listBodyIDs(t, s.URL, "kind=provincial_committee"), 34)
	require.Equal(t, []string{"doan-dbqh-ha-noi"}, listBodyIDs(t, s.URL, "parent_id=ubdngs&province="+url.QueryEscape("Hà Nội")))
	require.Equal(t, []string{"doan-dbqh-quang-ngai", "ubnd-quang-ngai"}, listBodyIDs(t, s.URL, "province="+url.QueryEscape("Kon Tum")))
	require.Equal(t, []string{"ubnd-ho-chi-minh"}, listBodyIDs(t, s.URL, "kind=provincial_committee&province=TP.HCM"))
	require.Equal(t, []string{"bo-tai-chinh"}, listBodyIDs(t, s.URL, "q=tai+chinh"))
	require.Equal(t, []string{"doan-dbqh-ha-noi", "ubnd-ha-noi"}, listBodyIDs(t, s.URL, "q="+url.QueryEscape("HÀ NỘI")))
	require.Empty(t, listBodyIDs(t, s.URL, "parent_id=no-such-body"))
	require.Empty(t, listBodyIDs(t, s.URL, "q=%25"))

	res = testenv.Do(t, "GET", s.URL+"/v1/bodies?parent_id=chinh-phu&limit=500", nil)
	var page bodyPage
	res.JSON(t, &page)
	require.Len(t, page.Items, 17+34)
	for _, b := range page.Items {
		require.Equal(t, "chinh-phu", *b.ParentID)
	}
}

// TestBodiesBadQueryIsNever500 sends odd parameter values: each is a 422 naming the parameter
// or, for a parameter the list does not know, is ignored.
func TestBodiesBadQueryIsNever500(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	for query, field := range map[string]string{
		"limit=abc":                     "limit",
		"limit=0":                       "limit",
		"limit=-5":                      "limit",
		"limit=501":                     "limit",
		"limit=1e3":                     "limit",
		"cursor=!!!":                    "cursor",
		"cursor=Zm9vCg":                 "cursor", // base64 of something that is no id
		"kind=senate":                   "kind",
		"kind=%00":                      "kind",
		"parent_id=%00":                 "parent_id",
		"parent_id=A%20":                "parent_id",
		"province=Atl":                  "province",
		"province=%FF":                  "province",
		"q=%00":                         "q",
		"q=%FF%FE":                      "q",
		"q=" + strings.Repeat("a", 201): "q",
	} {
		res := testenv.Do(t, "GET", s.URL+"/v1/bodies?"+query, nil)
		requireBodyProblem(t, res, 422, field)
	}
	res := testenv.Do(t, "GET", s.URL+"/v1/bodies?limit=abc&kind=senate&cursor=!!", nil)
	requireBodyProblem(t, res, 422, "limit")
	requireBodyProblem(t, res, 422, "kind")
	requireBodyProblem(t, res, 422, "cursor")

	for _, query := range []string{"foo=bar", "kind=", "q=%27%3B+drop+table+bodies", "limit=500", "province=kon+tum"} {
		res := testenv.Do(t, "GET", s.URL+"/v1/bodies?"+query, nil)
		require.Equal(t, 200, res.Status, "%s: %s", query, res.Body)
	}
}

func TestBodiesGet(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	res := testenv.Do(t, "GET", s.URL+"/v1/bodies/doan-dbqh-tuyen-quang", nil)
	require.Equal(t, 200, res.Status, string(res.Body))
	var b bodyJSON
	res.JSON(t, &b)
	require.Equal(t, "Đoàn ĐBQH Tuyên Quang", b.Name)
	require.Equal(t, "na_delegation", b.Kind)
	require.Equal(t, "ubdngs", *b.ParentID)
	require.Equal(t, "Tuyên Quang", *b.Province)
	require.Equal(t, []string{"Tuyên Quang", "Hà Giang"}, b.FormerProvinces)

	res = testenv.Do(t, "GET", s.URL+"/v1/bodies/ubtvqh", nil)
	require.Equal(t, 200, res.Status)
	require.Nil(t, res.Map(t)["parent_id"])

	for _, id := range []string{"no-such-body", "%00", "%FF", "UBTVQH"} {
		requireBodyProblem(t, testenv.Do(t, "GET", s.URL+"/v1/bodies/"+id, nil), 404, "")
	}
}

func TestBodiesCreateAndReplace(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	res := testenv.Do(t, "POST", s.URL+"/v1/bodies", map[string]any{
		"id": "ubnd-phuong-ba-dinh", "name": "UBND phường Ba Đình", "kind": "commune",
		"parent_id": "ubnd-ha-noi", "province": "thành phố hà nội",
	})
	require.Equal(t, 201, res.Status, string(res.Body))
	require.Equal(t, "/v1/bodies/ubnd-phuong-ba-dinh", res.Header.Get("Location"))
	var created bodyJSON
	res.JSON(t, &created)
	require.Equal(t, "Hà Nội", *created.Province)
	require.Equal(t, []string{}, created.FormerProvinces)
	require.NotEmpty(t, created.CreatedAt)

	res = testenv.Do(t, "GET", s.URL+"/v1/bodies/ubnd-phuong-ba-dinh", nil)
	require.Equal(t, 200, res.Status)
	require.Equal(t, "UBND phường Ba Đình", res.Map(t)["name"])

	res = testenv.Do(t, "POST", s.URL+"/v1/bodies", map[string]any{"id": "ubnd-phuong-ba-dinh", "name": "Trùng", "kind": "commune"})
	requireBodyProblem(t, res, 409, "")

	// Full replacement, id omitted: the omitted province becomes null.
	res = testenv.Do(t, "PUT", s.URL+"/v1/bodies/ubnd-phuong-ba-dinh", map[string]any{
		"name": "UBND phường Ba Đình (mới)", "kind": "commune", "parent_id": "ubnd-ha-noi",
	})
	require.Equal(t, 200, res.Status, string(res.Body))
	var replaced bodyJSON
	res.JSON(t, &replaced)
	require.Equal(t, "UBND phường Ba Đình (mới)", replaced.Name)
	require.Nil(t, replaced.Province)
	require.Equal(t, created.CreatedAt, replaced.CreatedAt)

	res = testenv.Do(t, "PUT", s.URL+"/v1/bodies/ubnd-phuong-ba-dinh", map[string]any{
		"id": "ubnd-phuong-ba-dinh", "name": "UBND phường Ba Đình", "kind": "commune", "parent_id": "ubnd-ha-noi", "province": "Hà Nội",
	})
	require.Equal(t, 200, res.Status, string(res.Body))

	res = testenv.Do(t, "PUT", s.URL+"/v1/bodies/ubnd-phuong-ba-dinh", map[string]any{"id": "khac", "name": "X", "kind": "commune"})
	requireBodyProblem(t, res, 422, "id")
	res = testenv.Do(t, "PUT", s.URL+"/v1/bodies/no-such-body", map[string]any{"name": "X", "kind": "commune"})
	requireBodyProblem(t, res, 404, "")
	// The Government under one of its own provincial committees would be a loop.
	res = testenv.Do(t, "PUT", s.URL+"/v1/bodies/chinh-phu", map[string]any{"name": "Chính phủ", "kind": "other", "parent_id": "ubnd-phuong-ba-dinh"})
	requireBodyProblem(t, res, 422, "parent_id")
	res = testenv.Do(t, "PUT", s.URL+"/v1/bodies/chinh-phu", map[string]any{"name": "Chính phủ", "kind": "other", "parent_id": "chinh-phu"})
	requireBodyProblem(t, res, 422, "parent_id")
	res = testenv.Do(t, "PUT", s.URL+"/v1/bodies/chinh-phu", `{"name": "Chính phủ", "kind": `)
	requireBodyProblem(t, res, 400, "")
}

func TestBodiesValidation(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	ok := func() map[string]any {
		return map[string]any{"id": "co-quan-moi", "name": "Cơ quan mới", "kind": "other", "parent_id": "ubtvqh", "province": nil}
	}
	cases := []struct {
		name, key string
		value     any
		field     string
	}{
		{"id missing", "id", "", "id"},
		{"id upper case", "id", "Co-Quan", "id"},
		{"id accented", "id", "cơ-quan", "id"},
		{"id leading dash", "id", "-co-quan", "id"},
		{"id one char", "id", "a", "id"},
		{"id too long", "id", strings.Repeat("a", 64), "id"},
		{"name empty", "name", "", "name"},
		{"name blank", "name", "   ", "name"},
		{"name too long", "name", strings.Repeat("đ", 301), "name"},
		{"name NUL", "name", "Cơ\u0000quan", "name"},
		{"name control", "name", "Cơ\u0007quan", "name"},
		{"name newline", "name", "Cơ\nquan", "name"},
		{"kind unknown", "kind", "senate", "kind"},
		{"kind missing", "kind", "", "kind"},
		{"kind wrong type", "kind", 3, "kind"},
		{"parent unknown", "parent_id", "no-such-body", "parent_id"},
		{"parent empty", "parent_id", "", "parent_id"},
		{"parent NUL", "parent_id", "ubtvqh\u0000", "parent_id"},
		{"province unknown", "province", "Atlantis", "province"},
		{"province former", "province", "Kon Tum", "province"},
		{"province empty", "province", "", "province"},
		{"unknown field", "nam", "x", "nam"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := ok()
			body[tc.key] = tc.value
			requireBodyProblem(t, testenv.Do(t, "POST", s.URL+"/v1/bodies", body), 422, tc.field)
		})
	}
	// Every bad field in one answer.
	res := testenv.Do(t, "POST", s.URL+"/v1/bodies", map[string]any{"id": "X", "name": "", "kind": "x", "parent_id": "nobody", "province": "Mars"})
	for _, f := range []string{"id", "name", "kind", "parent_id", "province"} {
		requireBodyProblem(t, res, 422, f)
	}
	requireBodyProblem(t, testenv.Do(t, "POST", s.URL+"/v1/bodies", `[]`), 400, "")
	requireBodyProblem(t, testenv.Do(t, "POST", s.URL+"/v1/bodies", `{"id":"a"} {}`), 400, "")

	// A decomposed name is stored NFC; the valid body itself is accepted.
	body := ok()
	body["name"] = "Co\u031B quan mo\u031B\u0301i"
	res = testenv.Do(t, "POST", s.URL+"/v1/bodies", body)
	require.Equal(t, 201, res.Status, string(res.Body))
	require.Equal(t, "Cơ quan mới", res.Map(t)["name"])
}
