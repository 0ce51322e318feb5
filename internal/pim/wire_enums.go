package pim

import (
	"encoding/json"
	"strings"
)

// wireEnums are the enum properties of a schedule or instance as Graph sent them. msgraph-sdk-go's
// generated parsers match one spelling each ("direct") and yield nil for any other, while the
// documentation shows two: "direct", "assigned" on the resource pages and "Direct", "Group", "Assigned"
// in the list examples. Read from the raw JSON, they are compared in either spelling.
type wireEnums struct {
	MemberType     string `json:"memberType"`
	AssignmentType string `json:"assignmentType"`
	AccessID       string `json:"accessId"`
}

// normalised returns the values in the resource pages' spelling (single words, lower case).
func (w wireEnums) normalised() wireEnums {
	return wireEnums{MemberType: strings.ToLower(w.MemberType), AssignmentType: strings.ToLower(w.AssignmentType), AccessID: strings.ToLower(w.AccessID)}
}

// wireEnumsByID reads the enum properties of one object or of a collection's value, by lower-cased ID.
func wireEnumsByID(body []byte) map[string]wireEnums {
	type item struct {
		ID string `json:"id"`
		wireEnums
	}
	var doc struct {
		item
		Value []item `json:"value"`
	}
	out := map[string]wireEnums{}
	if json.Unmarshal(body, &doc) != nil {
		return out
	}
	for _, it := range append(doc.Value, doc.item) {
		if it.ID != "" {
			out[strings.ToLower(it.ID)] = it.normalised()
		}
	}
	return out
}
