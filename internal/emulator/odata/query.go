package odata

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Query holds the OData system query options of a request. Clients send the names as `%24filter`; Go's
// query parsing decodes both that and a literal `$filter` to the same key, and `+`/`%20` to spaces.
type Query struct {
	Filter    Filter
	RawFilter string
	Select    []string
	Expand    string
	OrderBy   string
	Top       int // 0 when absent
	Skip      int // offset decoded from $skiptoken (or $skip)
	Count     bool
	Search    string
}

// ParseQuery reads the query options of r. A malformed $filter or $top yields a 400 Graph error.
func ParseQuery(r *http.Request) (Query, *Error) {
	v := r.URL.Query()
	var q Query
	get := func(name string) string {
		if s := v.Get("$" + name); s != "" {
			return s
		}
		return v.Get(name)
	}
	if s := get("filter"); s != "" {
		f, err := ParseFilter(s)
		if err != nil {
			return q, NewError(http.StatusBadRequest, CodeBadRequest, err.Error())
		}
		q.Filter, q.RawFilter = f, s
	}
	if s := get("select"); s != "" {
		q.Select = SplitList(s)
	}
	q.Expand = get("expand")
	q.OrderBy = get("orderby")
	q.Search = get("search")
	q.Count = strings.EqualFold(get("count"), "true")
	if s := get("top"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return q, NewError(http.StatusBadRequest, CodeBadRequest, "Invalid value '"+s+"' for query parameter '$top'.")
		}
		q.Top = n
	}
	if s := get("skiptoken"); s != "" {
		n, ok := decodeSkipToken(s)
		if !ok {
			return q, NewError(http.StatusBadRequest, CodeBadRequest, "Invalid skip token.")
		}
		q.Skip = n
	} else if s := get("skip"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return q, NewError(http.StatusBadRequest, CodeBadRequest, "Invalid value '"+s+"' for query parameter '$skip'.")
		}
		q.Skip = n
	}
	return q, nil
}

// SplitList splits a comma-separated option such as $select, ignoring blanks and nested parentheses.
func SplitList(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch s[i] {
			case '(':
				depth++
				continue
			case ')':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		if item := strings.TrimSpace(s[start:i]); item != "" {
			out = append(out, item)
		}
		start = i + 1
	}
	return out
}

// Select keeps only the selected properties of obj. `id` and `@odata.type` are always kept: real Graph
// keeps the type annotation, and whether it omits an unselected `id` is unconfirmed, so emitting it is safest.
func Select(obj map[string]any, fields []string) map[string]any {
	if len(fields) == 0 {
		return obj
	}
	out := make(map[string]any, len(fields)+2)
	for k, v := range obj {
		if k == "id" || strings.HasPrefix(k, "@odata.") {
			out[k] = v
			continue
		}
		for _, f := range fields {
			if f == "*" || strings.EqualFold(f, k) {
				out[k] = v
				break
			}
		}
	}
	return out
}

// Page cuts one page out of items, starting at q.Skip, of size q.Top (or defaultSize when $top is absent,
// capped at maxSize), and returns the absolute @odata.nextLink for the rest ("" on the last page).
func Page[T any](r *http.Request, q Query, items []T, defaultSize, maxSize int) ([]T, string) {
	size := defaultSize
	if q.Top > 0 {
		size = q.Top
	}
	if maxSize > 0 && size > maxSize {
		size = maxSize
	}
	start := q.Skip
	if start > len(items) {
		start = len(items)
	}
	end := start + size
	if size <= 0 || end > len(items) {
		end = len(items)
	}
	if end >= len(items) {
		return items[start:end], ""
	}
	return items[start:end], NextLink(r, end)
}

// NextLink returns the absolute URL of the same request continuing at offset.
func NextLink(r *http.Request, offset int) string {
	v := r.URL.Query()
	v.Del("$skiptoken")
	v.Del("%24skiptoken")
	v.Del("skiptoken")
	v.Del("$skip")
	u := url.URL{Scheme: "https", Host: r.Host, Path: r.URL.Path}
	enc := encodeQuery(v)
	if enc != "" {
		enc += "&"
	}
	u.RawQuery = enc + "$skiptoken=" + encodeSkipToken(offset)
	return u.String()
}

// encodeQuery encodes like url.Values.Encode but keeps `$` literal in names, as Graph's own links do.
func encodeQuery(v url.Values) string {
	enc := v.Encode()
	return strings.ReplaceAll(enc, "%24", "$")
}

func encodeSkipToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("emu-offset:" + strconv.Itoa(offset)))
}

func decodeSkipToken(s string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(b), "emu-offset:") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "emu-offset:"))
	return n, err == nil && n >= 0
}
