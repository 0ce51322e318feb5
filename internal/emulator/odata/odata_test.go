package odata_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
)

func TestParseFilterAndMatch(t *testing.T) {
	t.Parallel()
	obj := map[string]any{
		"groupId": "0F9A8B7C-1234-4ABC-9DEF-0123456789AB", "status": "PendingApproval",
		"securityEnabled": true, "createdUsing": nil, "principal": map[string]any{"id": "p1"},
		"displayName": "aks-admin",
	}
	tests := map[string]struct {
		filter string
		match  bool
	}{
		"eq case-insensitive":    {"groupId eq '0f9a8b7c-1234-4abc-9def-0123456789ab'", true},
		"and both":               {"groupId eq '0f9a8b7c-1234-4abc-9def-0123456789ab' and status eq 'PendingApproval'", true},
		"and one false":          {"groupId eq '0f9a8b7c-1234-4abc-9def-0123456789ab' and status eq 'Provisioned'", false},
		"ne":                     {"status ne 'Provisioned'", true},
		"null":                   {"createdUsing eq null", true},
		"ne null":                {"createdUsing ne null", false},
		"bool":                   {"securityEnabled eq true", true},
		"nested":                 {"principal/id eq 'p1'", true},
		"in":                     {"status in ('Denied','PendingApproval')", true},
		"startswith":             {"startswith(displayName,'AKS-')", true},
		"not startswith":         {"not startswith(displayName,'aks-')", false},
		"parenthesised":          {"(status eq 'PendingApproval' and securityEnabled eq true)", true},
		"missing property":       {"accessId eq 'member'", false},
		"quote escape":           {"displayName eq 'it''s'", false},
		"property name any case": {"GROUPID eq '0f9a8b7c-1234-4abc-9def-0123456789ab'", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := odata.ParseFilter(tc.filter)
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tc.filter, err)
			}
			if got := f.Match(obj); got != tc.match {
				t.Errorf("Match(%q) = %v, want %v", tc.filter, got, tc.match)
			}
		})
	}
}

func TestParseFilterRejects(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"a eq 'x' or b eq 'y'",
		"a gt 1",
		"a eq 'unterminated",
		"endswith(a,'x')",
		"groupTypes/any(c:c eq 'Unified')",
	} {
		if _, err := odata.ParseFilter(s); err == nil {
			t.Errorf("ParseFilter(%q) accepted an unsupported filter", s)
		}
	}
}

func TestParseQueryDecodesEncodedNames(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "https://127.0.0.1:1/v1.0/groups?%24filter=displayName%20eq%20%27a%20b%27&%24select=id,displayName&%24top=5", nil)
	q, gerr := odata.ParseQuery(r)
	if gerr != nil {
		t.Fatal(gerr)
	}
	if v, _ := q.Filter.EqString("displayName"); v != "a b" {
		t.Errorf("filter value = %q", v)
	}
	if diff := cmp.Diff([]string{"id", "displayName"}, q.Select); diff != "" {
		t.Errorf("select: %s", diff)
	}
	if q.Top != 5 {
		t.Errorf("top = %d", q.Top)
	}
}

func TestPageFollowsNextLinks(t *testing.T) {
	t.Parallel()
	items := make([]int, 7)
	for i := range items {
		items[i] = i
	}
	target := "https://127.0.0.1:8443/v1.0/groups?$top=3&$filter=a%20eq%20'b'"
	var got []int
	for pages := 0; target != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not terminate")
		}
		r := httptest.NewRequest(http.MethodGet, target, nil)
		q, gerr := odata.ParseQuery(r)
		if gerr != nil {
			t.Fatal(gerr)
		}
		page, next := odata.Page(r, q, items, 100, 999)
		got = append(got, page...)
		if next != "" {
			u, err := url.Parse(next)
			if err != nil || !u.IsAbs() || u.Host != "127.0.0.1:8443" {
				t.Fatalf("nextLink %q is not absolute on the emulator host", next)
			}
			if u.Query().Get("$filter") != "a eq 'b'" {
				t.Errorf("nextLink lost the filter: %q", next)
			}
		}
		target = next
	}
	if diff := cmp.Diff(items, got); diff != "" {
		t.Errorf("pages: %s", diff)
	}
}

func TestSelectKeepsIDAndType(t *testing.T) {
	t.Parallel()
	obj := map[string]any{"id": "1", "@odata.type": "#microsoft.graph.group", "displayName": "x", "description": "d"}
	got := odata.Select(obj, []string{"displayName"})
	want := map[string]any{"id": "1", "@odata.type": "#microsoft.graph.group", "displayName": "x"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("select: %s", diff)
	}
}

func TestErrorBodyAlwaysHasMessageAndRequestIDs(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	w.Header().Set("request-id", "rid")
	w.Header().Set("client-request-id", "crid")
	odata.WriteErr(w, nil, odata.NotFound("abc"))
	if w.Code != http.StatusNotFound {
		t.Fatalf("status %d", w.Code)
	}
	var body struct {
		Error struct {
			Code, Message string
			InnerError    map[string]string `json:"innerError"`
		} `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Error.Code != odata.CodeNotFound || body.Error.Message == "" {
		t.Errorf("body %s", w.Body.String())
	}
	if body.Error.InnerError["request-id"] != "rid" || body.Error.InnerError["client-request-id"] != "crid" || body.Error.InnerError["date"] == "" {
		t.Errorf("innerError %v", body.Error.InnerError)
	}
	if ct := w.Header().Get("Content-Type"); ct != odata.ContentType {
		t.Errorf("content type %q", ct)
	}
}
