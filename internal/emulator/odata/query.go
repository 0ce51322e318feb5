package odata

import (
	"context"
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
	// OmitUnselectedID makes Apply drop id when $select does not name it (a variant: see the
	// graph.select-id point); the handler sets it from its configuration.
	OmitUnselectedID bool
}

type omitIDKey struct{}

// WithSelectOmitsID returns r marked so that the Query parsed from it drops an unselected id (the
// graph.select-id variant, decided by the service that serves r).
func WithSelectOmitsID(r *http.Request, on bool) *http.Request {
	if !on {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), omitIDKey{}, true))
}

// ParseQuery reads the query options of r. A malformed $filter or $top yields a 400 Graph error.
func ParseQuery(r *http.Request) (Query, *Error) {
	v := r.URL.Query()
	var q Query
	q.OmitUnselectedID, _ = r.Context().Value(omitIDKey{}).(bool)
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

// Select keeps only the selected properties of obj, with id and the @odata annotations.
func Select(obj map[string]any, fields []string) map[string]any {
	return Query{Select: fields}.Apply(obj)
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

// ExpandItem is one navigation of $expand with its nested options: rules($select=id;$expand=x).
type ExpandItem struct {
	Name   string
	Select []string
	Expand string
}

// ParseExpand splits $expand into its navigations.
func ParseExpand(s string) []ExpandItem {
	var out []ExpandItem
	for _, item := range SplitList(s) {
		it := ExpandItem{Name: strings.TrimSpace(item)}
		if i := strings.Index(item, "("); i >= 0 && strings.HasSuffix(item, ")") {
			it.Name = strings.TrimSpace(item[:i])
			for _, opt := range strings.Split(item[i+1:len(item)-1], ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(opt), "=")
				switch strings.ToLower(strings.TrimPrefix(k, "$")) {
				case "select":
					it.Select = SplitList(v)
				case "expand":
					it.Expand = v
				}
			}
		}
		out = append(out, it)
	}
	return out
}

// Projection is the part of an @odata.context that names what $select and $expand kept, e.g.
// "(id,displayName)", "(rules(id))", "(rules())" or "(policy(rules()))"; "" without either option.
func (q Query) Projection() string {
	inner := projection(q.Select, q.Expand)
	if inner == "" {
		return ""
	}
	return "(" + inner + ")"
}

func projection(sel []string, expand string) string {
	parts := append([]string(nil), sel...)
	for _, it := range ParseExpand(expand) {
		parts = append(parts, it.Name+"("+projection(it.Select, it.Expand)+")")
	}
	return strings.Join(parts, ",")
}

// Apply applies $select to obj, keeping the expanded navigations (and their annotations such as
// rules@odata.context) and @odata annotations; id is kept unless OmitUnselectedID.
func (q Query) Apply(obj map[string]any) map[string]any {
	if len(q.Select) == 0 {
		return obj
	}
	keep := append([]string(nil), q.Select...)
	for _, it := range ParseExpand(q.Expand) {
		keep = append(keep, it.Name)
	}
	if !q.OmitUnselectedID {
		keep = append(keep, "id")
	}
	out := make(map[string]any, len(keep)+2)
	for k, v := range obj {
		name, _, _ := strings.Cut(k, "@")
		if name == "" {
			out[k] = v
			continue
		}
		for _, f := range keep {
			if f == "*" || strings.EqualFold(f, name) {
				out[k] = v
				break
			}
		}
	}
	return out
}
