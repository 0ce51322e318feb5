package access

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Format writes the audit as a table: one line per principal, family, place and path; eligible access
// names its approvers, active PIM access its end.
func Format(w io.Writer, acc []Access) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHO\tCAN\tWHERE\tHOW\tPATH")
	for _, a := range acc {
		how := "standing"
		switch {
		case !a.Standing && a.ApprovalRequired:
			how = "eligible, approved by " + strings.Join(a.Approvers, ", ")
		case !a.Standing:
			how = "eligible, self-activated"
		case a.Via == ViaActive && !a.Until.IsZero():
			how = "active until " + a.Until.UTC().Format("15:04 MST")
		case a.Via == ViaActive:
			how = "active"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Principal.DisplayName, a.Family, a.Where, how, strings.Join(a.Steps, " > "))
	}
	_ = tw.Flush()
}

// Standing reports whether the audit gives principalID standing access of family at where (or, for a
// namespace, at the cluster).
func Standing(acc []Access, principalID string, family Family, where string) bool {
	for _, a := range acc {
		if a.Standing && strings.EqualFold(a.Principal.ID, principalID) && a.Family == family &&
			(a.Where == where || (strings.HasPrefix(where, "namespace/") && a.Where == WhereCluster)) {
			return true
		}
	}
	return false
}
