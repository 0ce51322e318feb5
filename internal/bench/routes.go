package main

import (
	"sort"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
)

// routeClass sorts a statistics label ("METHOD template") into the API it belongs to.
type routeClass int

const (
	classGraph routeClass = iota
	classARM
	classLogin // token endpoint, OpenID discovery, instance discovery
	classMetadata
)

func classify(label string) routeClass {
	_, path, _ := strings.Cut(label, " ")
	switch {
	case strings.HasPrefix(path, "/v1.0"), strings.HasPrefix(path, "/beta"), strings.HasPrefix(path, "(graph"):
		return classGraph
	case strings.HasPrefix(path, "/{tenant}"), strings.HasPrefix(path, "/common/"):
		return classLogin
	case strings.HasPrefix(strings.ToLower(path), "/metadata/"):
		return classMetadata
	default:
		return classARM
	}
}

// counts are one phase's requests as the emulator saw them.
type counts struct {
	// API is every Graph and ARM HTTP request (a $batch counts once); Graph and ARM split it.
	API   int64 `json:"api"`
	Graph int64 `json:"graph"`
	ARM   int64 `json:"arm"`
	// BatchItems are the requests carried inside Graph $batch requests (not in API).
	BatchItems int64 `json:"batchItems"`
	// Login are token and discovery requests; Metadata are ARM metadata discovery requests.
	Login    int64 `json:"login"`
	Metadata int64 `json:"metadata"`
	// Errors are API answers with status >= 400 (incl. expected 404s of consistency polls).
	Errors int64        `json:"errors"`
	Routes []routeCount `json:"routes"`

	// What Azure counts (issue 14): Graph operations (every $batch item, and every direct request but
	// the $batch POSTs, which carry items), ARM requests by operation type (both as served, 429s
	// apart), the 429s the budgets answered and the Retry-After seconds they asked for.
	GraphOps   int64            `json:"graphOps"`
	ARMReads   int64            `json:"armReads"`
	ARMWrites  int64            `json:"armWrites"`
	ARMDeletes int64            `json:"armDeletes"`
	Throttled  map[string]int64 `json:"throttled,omitempty"`
	// RetryAfterAsked sums the Retry-After of the budgets' 429s, in seconds.
	RetryAfterAsked int64 `json:"retryAfterAskedSeconds"`
	// ByType splits Graph operations and ARM requests by the resource type whose routes they are
	// (ownerOf); "data" is the data sources.
	ByType map[string]apiCost `json:"byType"`
}

// apiCost is what one resource type's routes cost in a phase.
type apiCost struct {
	GraphOps int64 `json:"graphOps"`
	ARMReads int64 `json:"armReads"`
	ARM      int64 `json:"arm"`
}

// throttledTotal is the budgets' 429s over both APIs.
func (c counts) throttledTotal() int64 {
	var n int64
	for _, v := range c.Throttled {
		n += v
	}
	return n
}

type routeCount struct {
	Route      string `json:"route"`
	Count      int64  `json:"count"`
	BatchItems int64  `json:"batchItems,omitempty"`
	Errors     int64  `json:"errors,omitempty"`
}

func countsFrom(s emulator.Stats) counts {
	c := counts{Throttled: s.Throttled, RetryAfterAsked: s.RetryAfterSeconds, ByType: map[string]apiCost{}}
	for label, rs := range s.Routes {
		direct := rs.Count - rs.BatchItems
		var errs int64
		for code, n := range rs.Status {
			if code >= "400" {
				errs += n
			}
		}
		method, path, _ := strings.Cut(label, " ")
		owner := ownerOf(label)
		cost := c.ByType[owner]
		switch classify(label) {
		case classGraph:
			c.Graph += direct
			c.BatchItems += rs.BatchItems
			c.Errors += errs
			// Operations served: the budget's 429s are counted apart (Throttled).
			if !strings.HasSuffix(path, "/$batch") && !strings.Contains(path, "throttled") {
				c.GraphOps += rs.Count
				cost.GraphOps += rs.Count
			}
		case classARM:
			c.ARM += direct
			c.Errors += errs
			served := direct - rs.Status["429"]
			cost.ARM += served
			switch method {
			case "GET", "HEAD":
				c.ARMReads += served
				cost.ARMReads += served
			case "DELETE":
				c.ARMDeletes += served
			default:
				c.ARMWrites += served
			}
		case classLogin:
			c.Login += direct
		case classMetadata:
			c.Metadata += direct
		}
		if cost != (apiCost{}) {
			c.ByType[owner] = cost
		}
		c.Routes = append(c.Routes, routeCount{Route: label, Count: rs.Count, BatchItems: rs.BatchItems, Errors: errs})
	}
	c.API = c.Graph + c.ARM
	sort.Slice(c.Routes, func(i, j int) bool {
		if c.Routes[i].Count != c.Routes[j].Count {
			return c.Routes[i].Count > c.Routes[j].Count
		}
		return c.Routes[i].Route < c.Routes[j].Route
	})
	return c
}

// ownerOf names the resource type whose reads and writes use a route, for the per-type figures of issue
// 14's targets. It is exact for a refresh; in an apply or destroy a few routes serve two types (the
// approval policy's self-approval check lists eligibility schedules, a binding may look a group up),
// and are counted with the first.
func ownerOf(label string) string {
	_, path, _ := strings.Cut(label, " ")
	const pag = "/v1.0/identityGovernance/privilegedAccess/group/"
	switch {
	case strings.HasPrefix(path, "/v1.0/groups"), strings.HasPrefix(path, "/v1.0/directoryObjects"),
		path == pag+"assignmentScheduleInstances", path == pag+"eligibilityScheduleRequests",
		path == pag+"assignmentScheduleRequests", path == "/v1.0/policies/roleManagementPolicies":
		return typeGroup
	case strings.HasPrefix(path, pag+"eligibility"):
		return typeEligibility
	case strings.HasPrefix(path, "/v1.0/policies/roleManagementPolic"):
		return typePolicy
	case strings.HasPrefix(path, "/v1.0/users"), strings.Contains(path, "Microsoft.ContainerService"):
		return "data"
	case strings.Contains(path, "Microsoft.Authorization"):
		return typeBinding
	}
	return "other"
}
