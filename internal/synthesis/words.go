package synthesis

// abbreviations petitions and news reports use for the names they repeat; expanded so that
// "rút BHXH một lần" and "rút bảo hiểm xã hội một lần" share their terms. Keys are folded.
var abbreviations = map[string]string{
	"bhxh": "bao hiem xa hoi",
	"bhyt": "bao hiem y te",
	"bhtn": "bao hiem that nghiep",
	"ubnd": "uy ban nhan dan",
	"hdnd": "hoi dong nhan dan",
	"dbqh": "dai bieu quoc hoi",
	"mttq": "mat tran to quoc",
	"sgk":  "sach giao khoa",
	"thpt": "trung hoc pho thong",
	"gplx": "giay phep lai xe",
	"qsdd": "quyen su dung dat",
}

// stopWords are folded syllables that say nothing about the matter: the framing every
// petition uses ("cử tri đề nghị", "phản ánh", "kiến nghị", "báo cáo tổng hợp ý kiến"), the
// bodies asked to act ("Nhà nước", "Chính phủ", "Quốc hội") and function words. Folding
// merges some syllables ("bao" is both báo and bảo), which is why the list is short.
var stopWords = set(`cu tri de nghi kien phan anh mong neu cho rang bao cao tong hop y
	nhieu cac nhung con va cua la co trong khi tai mot so duoc bi da dang lai ve voi nay do
	theo nhu tu den tren hon dong thoi gay lam can viec su rat vi ra khong cung nhat sau truoc
	nguoi dan nha nuoc chinh phu quoc hoi xu ly giai quyet bien phap co che sach ho tro`)

// topicStop are the joining words of topic labels ("land / suspended project", "đất đai và
// nhà ở").
var topicStop = set(`and of the va cua`)

func set(s string) map[string]bool {
	out := map[string]bool{}
	word := ""
	for _, r := range s + " " {
		if r == ' ' || r == '\n' || r == '\t' {
			if word != "" {
				out[word] = true
			}
			word = ""
			continue
		}
		word += string(r)
	}
	return out
}
