// Package variant is how the emulator serves behaviours Azure's documentation leaves open. Each open
// question is a Point with every plausible answer as an Option; a run of the emulator picks one option
// per point from a Spec (named profiles, a seed, explicit choices), so the provider is tested against
// each answer instead of against the one its authors guessed.
//
// A new emulator behaviour that is a guess declares a Point in the package that implements it (next to
// the code that reads it), adds it to that package's catalogue, reads its choice from the Selection it is
// configured with, and lists it in internal/emulator/UNCONFIRMED.md (a test checks the listing).
package variant

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
)

// Named profiles. A profile picks an option for the points it has an opinion on; the others keep their
// default (Options[0]).
const (
	// ProfileDefault picks every point's first option: the behaviour believed most likely.
	ProfileDefault = "default"
	// ProfileDocsExamples picks what the request/response examples of the documentation show (Graph's
	// api-reference pages, azure-rest-api-specs examples/).
	ProfileDocsExamples = "docs-examples"
	// ProfileResourcePages picks what the resource and property reference pages state.
	ProfileResourcePages = "resource-pages"
	// ProfileAlternate picks, for every point, the last option that docs-examples does not pick: the
	// answers the documentation's examples do not show, so that docs-examples and alternate together
	// serve both options of every two-option point.
	ProfileAlternate = "alternate"
)

// Profiles lists the profile names in documentation order.
func Profiles() []string {
	return []string{ProfileDefault, ProfileDocsExamples, ProfileResourcePages, ProfileAlternate}
}

// Point is one open behaviour.
type Point struct {
	// Name is dotted and lower-case, prefixed by the API: "pim.review-result", "arm.role-definition-id".
	Name string
	// Options are the plausible answers; Options[0] is the default.
	Options []string
	// Question says what is open and where each option comes from (page paths, issues).
	Question string
	// Profiles maps a profile name to the option it picks (ProfileDefault and ProfileAlternate need no
	// entry).
	Profiles map[string]string
}

// Catalogue is a set of points.
type Catalogue []Point

// Find returns the point named name.
func (c Catalogue) Find(name string) (Point, bool) {
	for _, p := range c {
		if p.Name == name {
			return p, true
		}
	}
	return Point{}, false
}

// Validate reports duplicate names, points with fewer than two options and profile entries naming an
// option the point does not have.
func (c Catalogue) Validate() error {
	seen := map[string]bool{}
	for _, p := range c {
		if seen[p.Name] {
			return fmt.Errorf("variant point %q declared twice", p.Name)
		}
		seen[p.Name] = true
		if len(p.Options) < 2 {
			return fmt.Errorf("variant point %q has %d options; a point needs at least two", p.Name, len(p.Options))
		}
		for prof, opt := range p.Profiles {
			if !knownProfile(prof) {
				return fmt.Errorf("variant point %q names unknown profile %q", p.Name, prof)
			}
			if !p.has(opt) {
				return fmt.Errorf("variant point %q: profile %q picks %q, which is not one of %v", p.Name, prof, opt, p.Options)
			}
		}
	}
	return nil
}

func (p Point) has(opt string) bool {
	for _, o := range p.Options {
		if o == opt {
			return true
		}
	}
	return false
}

// alternate is the last option docs-examples does not pick.
func (p Point) alternate() string {
	for i := len(p.Options) - 1; i > 0; i-- {
		if p.Options[i] != p.Profiles[ProfileDocsExamples] {
			return p.Options[i]
		}
	}
	return p.Options[0]
}

func knownProfile(name string) bool {
	for _, p := range Profiles() {
		if p == name {
			return true
		}
	}
	return false
}

// Spec says how to choose: a comma-separated list of items applied in order, later items overriding
// earlier ones for the points they decide. An item is a profile name, "seed=N" (every point picks an
// option from N and its name) or "point=option". Examples: "docs-examples", "seed=42",
// "alternate,resource-pages", "resource-pages,pim.review-result=Approve". Empty means "default".
type Spec string

// Selection is the option chosen for each point of a catalogue.
type Selection struct {
	spec   Spec
	chosen map[string]string
}

// Select applies spec to the catalogue.
func (c Catalogue) Select(spec Spec) (Selection, error) {
	if err := c.Validate(); err != nil {
		return Selection{}, err
	}
	sel := Selection{spec: spec, chosen: map[string]string{}}
	for _, p := range c {
		sel.chosen[p.Name] = p.Options[0]
	}
	for _, item := range strings.Split(string(spec), ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, value, isPair := strings.Cut(item, "=")
		switch {
		case !isPair && knownProfile(item):
			for _, p := range c {
				if item == ProfileAlternate {
					sel.chosen[p.Name] = p.alternate()
				} else if opt, ok := p.Profiles[item]; ok {
					sel.chosen[p.Name] = opt
				} else if item == ProfileDefault {
					sel.chosen[p.Name] = p.Options[0]
				}
			}
		case !isPair:
			return Selection{}, fmt.Errorf("variants %q: unknown profile %q (profiles: %s)", spec, item, strings.Join(Profiles(), ", "))
		case name == "seed":
			seed, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return Selection{}, fmt.Errorf("variants %q: seed %q is not an integer", spec, value)
			}
			for _, p := range c {
				sel.chosen[p.Name] = p.Options[seededIndex(seed, p.Name, len(p.Options))]
			}
		default:
			p, ok := c.Find(name)
			if !ok {
				return Selection{}, fmt.Errorf("variants %q: unknown point %q", spec, name)
			}
			if !p.has(value) {
				return Selection{}, fmt.Errorf("variants %q: point %q has no option %q (options: %s)", spec, name, value, strings.Join(p.Options, ", "))
			}
			sel.chosen[name] = value
		}
	}
	return sel, nil
}

// seededIndex depends only on the seed and the point's name, so declaring a new point does not change
// what a seed picks for the others.
func seededIndex(seed int64, name string, n int) int {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strconv.FormatInt(seed, 10) + "/" + name))
	return int(h.Sum64() % uint64(n))
}

// Option returns the option chosen for a point ("" for a point the catalogue does not have: a package
// reading a point it did not declare is a programming error its tests catch).
func (s Selection) Option(name string) string { return s.chosen[name] }

// Is reports whether the point's chosen option is opt.
func (s Selection) Is(name, opt string) bool { return s.chosen[name] == opt }

// Int returns the chosen option of a numeric point (status codes), or def when it is not a number.
func (s Selection) Int(name string, def int) int {
	n, err := strconv.Atoi(s.chosen[name])
	if err != nil {
		return def
	}
	return n
}

// Spec returns the spec the selection was made from.
func (s Selection) Spec() Spec { return s.spec }

// Choices returns point -> option, for reports and the admin API.
func (s Selection) Choices() map[string]string {
	out := make(map[string]string, len(s.chosen))
	for k, v := range s.chosen {
		out[k] = v
	}
	return out
}

// String is an explicit spec ("p1=o1,p2=o2,...", sorted) that reproduces the selection whatever the
// catalogue's defaults become.
func (s Selection) String() string {
	names := make([]string, 0, len(s.chosen))
	for n := range s.chosen {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, n+"="+s.chosen[n])
	}
	return strings.Join(parts, ",")
}
