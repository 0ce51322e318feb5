package odata

import (
	"fmt"
	"strconv"
	"strings"
)

// Predicate is one comparison of a $filter: `field eq 'x'`, `field ne null`, `field in ('a','b')` or
// `startswith(field,'x')`. Field paths use "/" for nested properties ("principal/id").
type Predicate struct {
	Field  string
	Op     string // "eq", "ne", "in", "startswith"
	Value  any    // string, bool, float64 or nil; for "in" a []any
	Negate bool   // `not startswith(...)`
}

// Filter is a conjunction of predicates: the emulator supports `and`-ed simple comparisons, which is what
// the directory and PIM endpoints accept (their `or`/lambda support is not needed by any client here).
type Filter []Predicate

// Get returns the first predicate on field (case-insensitive), e.g. to enforce a mandatory groupId filter.
func (f Filter) Get(field string) (Predicate, bool) {
	for _, p := range f {
		if strings.EqualFold(p.Field, field) {
			return p, true
		}
	}
	return Predicate{}, false
}

// EqString returns the string value of a `field eq '...'` predicate, if present.
func (f Filter) EqString(field string) (string, bool) {
	for _, p := range f {
		if strings.EqualFold(p.Field, field) && p.Op == "eq" {
			if s, ok := p.Value.(string); ok {
				return s, true
			}
		}
	}
	return "", false
}

// Match reports whether obj (a JSON object as produced by ToMap) satisfies every predicate. String
// comparisons are case-insensitive, as they are for Graph directory properties and PIM IDs.
func (f Filter) Match(obj map[string]any) bool {
	for _, p := range f {
		if !p.Match(obj) {
			return false
		}
	}
	return true
}

// Match evaluates one predicate against obj.
func (p Predicate) Match(obj map[string]any) bool {
	got, _ := lookup(obj, p.Field)
	var ok bool
	switch p.Op {
	case "eq":
		ok = equal(got, p.Value)
	case "ne":
		ok = !equal(got, p.Value)
	case "in":
		vals, _ := p.Value.([]any)
		for _, v := range vals {
			if equal(got, v) {
				ok = true
				break
			}
		}
	case "startswith":
		gs, isStr := got.(string)
		ws, _ := p.Value.(string)
		ok = isStr && strings.HasPrefix(strings.ToLower(gs), strings.ToLower(ws))
	}
	if p.Negate {
		return !ok
	}
	return ok
}

func lookup(obj map[string]any, path string) (any, bool) {
	var cur any = obj
	for _, part := range strings.Split(path, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		found := false
		for k, v := range m {
			if strings.EqualFold(k, part) {
				cur, found = v, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return cur, true
}

func equal(got, want any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case string:
		switch g := got.(type) {
		case string:
			return strings.EqualFold(g, w)
		case fmt.Stringer:
			return strings.EqualFold(g.String(), w)
		}
		return false
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	case float64:
		switch g := got.(type) {
		case float64:
			return g == w
		case interface{ Float64() (float64, error) }:
			f, err := g.Float64()
			return err == nil && f == w
		}
	}
	return false
}

// ParseFilter parses a $filter expression of `and`-ed comparisons. Unsupported syntax (or, lambdas,
// functions other than startswith) is an error, which handlers report as a 400.
func ParseFilter(s string) (Filter, error) {
	p := &parser{toks: nil}
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p.toks = toks
	var f Filter
	if len(toks) == 0 {
		return nil, nil
	}
	for {
		pred, err := p.predicate()
		if err != nil {
			return nil, err
		}
		f = append(f, pred...)
		if p.done() {
			return f, nil
		}
		t := p.next()
		if !strings.EqualFold(t.text, "and") || t.kind != tokWord {
			return nil, fmt.Errorf("Invalid filter clause: unsupported operator '%s'.", t.text) //nolint:staticcheck // ST1005: Graph's wire text, sent to clients as the 400 message
		}
	}
}

type tokKind int

const (
	tokWord tokKind = iota
	tokString
	tokPunct
)

type token struct {
	kind tokKind
	text string
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			i++
		case '\'':
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("Invalid filter clause: unterminated string literal.") //nolint:staticcheck // ST1005: Graph's wire text, sent to clients as the 400 message
			}
			toks = append(toks, token{tokString, b.String()})
		case '(', ')', ',':
			toks = append(toks, token{tokPunct, string(c)})
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n(),'", rune(s[j])) {
				j++
			}
			toks = append(toks, token{tokWord, s[i:j]})
			i = j
		}
	}
	return toks, nil
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) done() bool { return p.pos >= len(p.toks) }

func (p *parser) next() token {
	if p.done() {
		return token{tokPunct, "<end>"}
	}
	t := p.toks[p.pos]
	p.pos++
	return t
}

func (p *parser) peek() token {
	if p.done() {
		return token{tokPunct, "<end>"}
	}
	return p.toks[p.pos]
}

func (p *parser) expect(text string) error {
	if t := p.next(); t.kind != tokPunct || t.text != text {
		return fmt.Errorf("Invalid filter clause: expected '%s' but found '%s'.", text, t.text) //nolint:staticcheck // ST1005: Graph's wire text, sent to clients as the 400 message
	}
	return nil
}

// predicate parses one comparison, a parenthesised conjunction, or `not startswith(...)`.
func (p *parser) predicate() ([]Predicate, error) {
	t := p.next()
	if t.kind == tokPunct && t.text == "(" {
		var inner []Predicate
		for {
			pred, err := p.predicate()
			if err != nil {
				return nil, err
			}
			inner = append(inner, pred...)
			n := p.next()
			if n.kind == tokPunct && n.text == ")" {
				return inner, nil
			}
			if n.kind != tokWord || !strings.EqualFold(n.text, "and") {
				return nil, fmt.Errorf("Invalid filter clause: unsupported operator '%s'.", n.text) //nolint:staticcheck // ST1005: Graph's wire text, sent to clients as the 400 message
			}
		}
	}
	if t.kind != tokWord {
		return nil, fmt.Errorf("Invalid filter clause: unexpected '%s'.", t.text) //nolint:staticcheck // ST1005: Graph's wire text, sent to clients as the 400 message
	}
	negate := false
	if strings.EqualFold(t.text, "not") {
		negate = true
		t = p.next()
	}
	if strings.EqualFold(t.text, "startswith") {
		if err := p.expect("("); err != nil {
			return nil, err
		}
		field := p.next()
		if err := p.expect(","); err != nil {
			return nil, err
		}
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return []Predicate{{Field: field.text, Op: "startswith", Value: v, Negate: negate}}, nil
	}
	if negate {
		return nil, fmt.Errorf("Invalid filter clause: 'not' is only supported before startswith.") //nolint:staticcheck // ST1005: Graph's wire text, sent to clients as the 400 message
	}
	if p.peek().kind == tokPunct && p.peek().text == "(" {
		return nil, fmt.Errorf("Invalid filter clause: unsupported function '%s'.", t.text) //nolint:staticcheck // ST1005: Graph's wire text, sent to clients as the 400 message
	}
	field := t.text
	op := strings.ToLower(p.next().text)
	switch op {
	case "eq", "ne":
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		return []Predicate{{Field: field, Op: op, Value: v}}, nil
	case "in":
		if err := p.expect("("); err != nil {
			return nil, err
		}
		var vals []any
		for {
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
			n := p.next()
			if n.text == ")" {
				break
			}
			if n.text != "," {
				return nil, fmt.Errorf("Invalid filter clause: expected ',' or ')' but found '%s'.", n.text) //nolint:staticcheck // ST1005: Graph's wire text, sent to clients as the 400 message
			}
		}
		return []Predicate{{Field: field, Op: "in", Value: vals}}, nil
	default:
		return nil, fmt.Errorf("Invalid filter clause: unsupported operator '%s'.", op) //nolint:staticcheck // ST1005: Graph's wire text, sent to clients as the 400 message
	}
}

func (p *parser) literal() (any, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return t.text, nil
	case tokWord:
		switch strings.ToLower(t.text) {
		case "null":
			return nil, nil
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		if f, err := strconv.ParseFloat(t.text, 64); err == nil {
			return f, nil
		}
		// Unquoted GUIDs are accepted by Graph for ID-typed properties.
		if len(t.text) == 36 && strings.Count(t.text, "-") == 4 {
			return t.text, nil
		}
	}
	return nil, fmt.Errorf("Invalid filter clause: invalid literal '%s'.", t.text) //nolint:staticcheck // ST1005: Graph's wire text, sent to clients as the 400 message
}
