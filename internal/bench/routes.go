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
}

type routeCount struct {
	Route      string `json:"route"`
	Count      int64  `json:"count"`
	BatchItems int64  `json:"batchItems,omitempty"`
	Errors     int64  `json:"errors,omitempty"`
}

func countsFrom(s emulator.Stats) counts {
	var c counts
	for label, rs := range s.Routes {
		direct := rs.Count - rs.BatchItems
		var errs int64
		for code, n := range rs.Status {
			if code >= "400" {
				errs += n
			}
		}
		switch classify(label) {
		case classGraph:
			c.Graph += direct
			c.BatchItems += rs.BatchItems
			c.Errors += errs
		case classARM:
			c.ARM += direct
			c.Errors += errs
		case classLogin:
			c.Login += direct
		case classMetadata:
			c.Metadata += direct
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
