package supplier

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/supplier/eol"
	"github.com/assayhq/assay/supplier/lists"
	"github.com/assayhq/assay/supplier/screen"
)

// AssessmentSchema is the JSON schema name of an assessment.
const AssessmentSchema = "assay.supplier-assessment/v1"

// ListedShare is the aggregate share of an entity held by listed parties
// at which the entity itself counts as listed (OFAC's 50 % rule).
const ListedShare = 50.0

// maxMatchesPerParty bounds the matches kept per screened party.
const maxMatchesPerParty = 5

// Assessment is the supplier risk profile of one vendor.
type Assessment struct {
	Schema string `json:"schema"`
	Vendor string `json:"vendor"`
	// Decision is "listed" (the vendor matches a list at the alert level
	// or is owned 50 % or more by listed parties), "review" (some party
	// reached the review threshold) or "clear".
	Decision   string             `json:"decision"`
	Screenings []Screening        `json:"screenings"`
	Ownership  []OwnershipFinding `json:"ownership,omitempty"`
	Factors    []FactorEvidence   `json:"factors"`
	Export     []ExportFinding    `json:"export_control,omitempty"`
	EOL        []eol.Status       `json:"end_of_life,omitempty"`
	Dependence []Concentration    `json:"dependence,omitempty"`
	Lists      []*lists.ListState `json:"lists"`
}

// Screening is the screening of one party of the profile.
type Screening struct {
	// Role is vendor, owner, facility or sub-supplier.
	Role    string `json:"role"`
	Subject string `json:"subject"`
	// Path locates the party in the profile ("owners[0].owners[1]").
	Path     string         `json:"path"`
	Decision string         `json:"decision"`
	Matches  []screen.Match `json:"matches"`
}

// OwnershipFinding is the ownership evaluation of one entity of the chain.
type OwnershipFinding struct {
	Entity string `json:"entity"`
	Path   string `json:"path"`
	// ListedShare is the aggregate share held by listed owners.
	ListedShare float64  `json:"listed_share"`
	ListedBy    []string `json:"listed_by,omitempty"`
	// Listed is true when the entity itself is on a list (alert) or
	// ListedShare reaches 50 %.
	Listed bool `json:"listed"`
	// ByOwnership is true when Listed follows from the 50 % rule alone.
	ByOwnership bool `json:"by_ownership,omitempty"`
	// StateShare is the effective share held by governments and
	// state-owned owners, through the chain.
	StateShare  float64  `json:"state_share"`
	Governments []string `json:"governments,omitempty"`
}

// FactorEvidence is the automated evidence for one review factor
// (docs/review-model.md).
type FactorEvidence struct {
	Factor   string   `json:"factor"`
	Title    string   `json:"title"`
	Level    string   `json:"level"`
	Evidence []string `json:"evidence"`
}

// AssessOptions adds the optional evidence sources of an assessment.
type AssessOptions struct {
	// Destination is the ISO country code the products are delivered to;
	// when set, export-control rules are evaluated.
	Destination string
	// Rules are the export-control rules (default DefaultExportRules).
	Rules *ExportRules
	// EOL is the endoflife.date data; nil skips end-of-life dates.
	EOL eol.DB
	// Base is the operator's installed base; nil skips dependence.
	Base *InstalledBase
	// On is the evaluation date (default today).
	On time.Time
}

// assessor carries the state of one assessment.
type assessor struct {
	s *screen.Screener
	a *Assessment
}

// Assess screens the vendor, its owners up the chain, its facility
// operators and its sub-suppliers, applies the 50 % ownership rule and
// summarises the evidence per review factor.
func Assess(ctx context.Context, s *screen.Screener, snap *lists.Snapshot, p *Profile, opt AssessOptions) (*Assessment, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("assess %s: %w", p.Name, err)
	}
	as := &assessor{s: s, a: &Assessment{Schema: AssessmentSchema, Vendor: p.Name, Screenings: []Screening{}}}
	for _, src := range lists.Sources() {
		if st, ok := snap.Lists[src.ID]; ok {
			as.a.Lists = append(as.a.Lists, st)
		}
	}
	names := append(slices.Clone(p.Aliases), p.LocalNames...)
	vendor, err := as.screenParty(ctx, "vendor", "vendor", p.Name, names, p.Identifiers, p.Country)
	if err != nil {
		return nil, err
	}
	root, err := as.ownership(ctx, p.Name, "vendor", vendor.Decision == "alert", p.StateOwned, p.Country, p.Owners)
	if err != nil {
		return nil, err
	}
	for i, f := range p.Facilities {
		if f.Operator == "" {
			continue
		}
		if _, err := as.screenParty(ctx, "facility", fmt.Sprintf("facilities[%d]", i), f.Operator, nil, nil, f.Country); err != nil {
			return nil, err
		}
	}
	for i, sp := range p.SubSuppliers {
		if _, err := as.screenParty(ctx, "sub-supplier", fmt.Sprintf("sub_suppliers[%d]", i), sp.Name, nil, nil, sp.Country); err != nil {
			return nil, err
		}
	}
	if err := as.products(p, &opt); err != nil {
		return nil, err
	}
	as.a.Decision = as.decision(vendor, root)
	as.a.Factors = []FactorEvidence{as.factorF2(p), as.factorF3(p, vendor), as.factorF6(p, root)}
	return as.a, nil
}

// screenParty screens a name with its aliases and identifiers and records
// the merged result.
func (as *assessor) screenParty(ctx context.Context, role, path, name string, aliases []string, ids []Identifier, country string) (Screening, error) {
	sc := Screening{Role: role, Subject: name, Path: path, Decision: "clear", Matches: []screen.Match{}}
	var idNums []string
	for _, id := range ids {
		idNums = append(idNums, id.Number)
	}
	seen := map[string]bool{}
	for i, n := range append([]string{name}, aliases...) {
		if err := ctx.Err(); err != nil {
			return sc, err
		}
		q := screen.Query{Name: n, Country: country}
		if i == 0 {
			q.Identifiers = idNums
		}
		res, err := as.s.Screen(q)
		if err != nil {
			return sc, fmt.Errorf("screen %s %q: %w", role, n, err)
		}
		for _, m := range res.Matches {
			if k := m.List + "\x00" + m.EntryID; !seen[k] {
				seen[k] = true
				sc.Matches = append(sc.Matches, m)
			}
		}
	}
	slices.SortStableFunc(sc.Matches, func(a, b screen.Match) int { return cmp.Compare(b.Score, a.Score) })
	if len(sc.Matches) > maxMatchesPerParty {
		sc.Matches = sc.Matches[:maxMatchesPerParty]
	}
	if len(sc.Matches) > 0 {
		sc.Decision = sc.Matches[0].Level
	}
	as.a.Screenings = append(as.a.Screenings, sc)
	return sc, nil
}

// ownership evaluates one entity of the chain bottom-up: its owners are
// screened and evaluated first; the entity is listed when it matched a
// list itself or listed owners hold 50 % or more of it.
func (as *assessor) ownership(ctx context.Context, name, path string, selfListed, stateOwned bool, country string, owners []Owner) (OwnershipFinding, error) {
	f := OwnershipFinding{Entity: name, Path: path, Listed: selfListed}
	if stateOwned {
		f.StateShare = 100
		f.Governments = appendUniq(f.Governments, country)
	}
	for i, o := range owners {
		p := fmt.Sprintf("owners[%d]", i)
		if path != "vendor" {
			p = path + "." + p
		}
		sc, err := as.screenParty(ctx, "owner", p, o.Name, o.Aliases, o.Identifiers, o.Country)
		if err != nil {
			return f, err
		}
		of, err := as.ownership(ctx, o.Name, p, sc.Decision == "alert", o.StateOwned, firstNonEmpty(o.Government, o.Country), o.Owners)
		if err != nil {
			return f, err
		}
		if of.Listed {
			f.ListedShare += o.Share
			f.ListedBy = append(f.ListedBy, o.Name)
		}
		if !stateOwned {
			f.StateShare += o.Share * of.StateShare / 100
			for _, g := range of.Governments {
				f.Governments = appendUniq(f.Governments, g)
			}
		}
	}
	if !f.Listed && f.ListedShare >= ListedShare {
		f.Listed, f.ByOwnership = true, true
	}
	f.StateShare = float64(int(f.StateShare*100+0.5)) / 100
	if len(owners) > 0 || selfListed || stateOwned {
		as.a.Ownership = append(as.a.Ownership, f)
	}
	return f, nil
}

func (as *assessor) decision(vendor Screening, root OwnershipFinding) string {
	if vendor.Decision == "alert" || root.Listed {
		return "listed"
	}
	for _, sc := range as.a.Screenings {
		if sc.Decision != "clear" {
			return "review"
		}
	}
	for _, of := range as.a.Ownership {
		if of.Listed {
			return "review"
		}
	}
	return "clear"
}

// factorF3 summarises restricted-party and supply-channel evidence.
func (as *assessor) factorF3(p *Profile, vendor Screening) FactorEvidence {
	fe := FactorEvidence{Factor: "F3", Title: "Restricted parties, sources and supply channels", Level: "low"}
	for _, sc := range as.a.Screenings {
		if sc.Decision == "clear" || sc.Role == "owner" {
			continue
		}
		m := sc.Matches[0]
		fe.Evidence = append(fe.Evidence, fmt.Sprintf("%s %q: %s %.3f against %q on %s (list of %s)", sc.Role, sc.Subject, sc.Decision, m.Score, m.EntryName, m.List, m.ListDate))
	}
	if vendor.Decision == "alert" {
		fe.Level = "high"
	} else if len(fe.Evidence) > 0 {
		fe.Level = "medium"
	}
	var sites []string
	for _, f := range p.Facilities {
		sites = append(sites, fmt.Sprintf("%s (%s, %s)", f.Name, f.Function, f.Country))
	}
	if len(sites) > 0 {
		fe.Evidence = append(fe.Evidence, "facilities: "+strings.Join(sites, "; "))
	}
	for _, x := range as.a.Export {
		fe.Evidence = append(fe.Evidence, fmt.Sprintf("export of %q (%s) to %s needs a licence under %s (%s): %s", x.Item, x.Classification, x.Destination, x.Regime, x.Rule, x.Policy))
		if fe.Level == "low" {
			fe.Level = "medium"
		}
	}
	if len(fe.Evidence) == 0 {
		fe.Evidence = []string{"no restricted-party match for the vendor, facility operators or sub-suppliers"}
	}
	return fe
}

// factorF6 summarises ownership and foreign-government control.
func (as *assessor) factorF6(p *Profile, root OwnershipFinding) FactorEvidence {
	fe := FactorEvidence{Factor: "F6", Title: "Ownership and foreign-government control", Level: "low"}
	for _, of := range as.a.Ownership {
		if of.Listed {
			why := "matches a restricted-party list"
			if of.ByOwnership {
				why = fmt.Sprintf("owned %.1f%% by listed parties (%s), at or above the 50%% rule", of.ListedShare, strings.Join(of.ListedBy, ", "))
			}
			fe.Evidence = append(fe.Evidence, fmt.Sprintf("%s %q %s", of.Path, of.Entity, why))
		} else if of.ListedShare > 0 {
			fe.Evidence = append(fe.Evidence, fmt.Sprintf("%s %q owned %.1f%% by listed parties (%s), below the 50%% rule", of.Path, of.Entity, of.ListedShare, strings.Join(of.ListedBy, ", ")))
		}
	}
	if root.StateShare > 0 {
		fe.Evidence = append(fe.Evidence, fmt.Sprintf("effective state ownership %.1f%% (%s)", root.StateShare, strings.Join(root.Governments, ", ")))
	}
	switch {
	case root.Listed:
		fe.Level = "high"
	case root.StateShare >= 50 || root.ListedShare > 0:
		fe.Level = "medium"
	}
	if len(fe.Evidence) == 0 {
		fe.Evidence = []string{fmt.Sprintf("no listed or state owners declared (%d direct owners)", len(p.Owners))}
	}
	return fe
}

func appendUniq(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// products adds export-control, end-of-life and dependence evidence.
func (as *assessor) products(p *Profile, opt *AssessOptions) error {
	if opt.On.IsZero() {
		opt.On = time.Now().UTC()
	}
	if opt.Destination != "" {
		rules := opt.Rules
		if rules == nil {
			var err error
			if rules, err = DefaultExportRules(); err != nil {
				return err
			}
		}
		dest := lists.CountryCode(opt.Destination)
		if dest == "" {
			return fmt.Errorf("assess: unknown destination country %q", opt.Destination)
		}
		for _, pr := range p.ProductLines {
			cls := append([]string{pr.ECCN}, pr.Controls...)
			as.a.Export = append(as.a.Export, rules.Evaluate(pr.Name, cls, dest, opt.On)...)
		}
	}
	if opt.EOL != nil {
		for _, pr := range p.ProductLines {
			if pr.EOL == "" {
				continue
			}
			st, err := opt.EOL.Lookup(pr.EOL, pr.Cycle, opt.On)
			if err != nil {
				st = eol.Status{Product: pr.EOL, Cycle: pr.Cycle, State: "unknown"}
			}
			as.a.EOL = append(as.a.EOL, st)
		}
	}
	if opt.Base != nil {
		names := append([]string{p.Name}, p.Aliases...)
		for _, c := range Dependence(opt.Base) {
			if slices.ContainsFunc(c.Shares, func(v VendorShare) bool {
				return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, v.Vendor) })
			}) {
				as.a.Dependence = append(as.a.Dependence, c)
			}
		}
	}
	return nil
}

// factorF2 summarises supply-interruption evidence: end of support and
// dependence on the vendor.
func (as *assessor) factorF2(p *Profile) FactorEvidence {
	fe := FactorEvidence{Factor: "F2", Title: "Business continuity if supply is interrupted", Level: "low"}
	for _, st := range as.a.EOL {
		line := fmt.Sprintf("%s %s: %s", st.Product, st.Cycle, st.State)
		if st.EOL != "" {
			line += " (end of life " + st.EOL + ")"
		}
		fe.Evidence = append(fe.Evidence, line)
		if st.State == "eol" {
			fe.Level = "high"
		} else if st.State == "security-only" && fe.Level == "low" {
			fe.Level = "medium"
		}
	}
	for _, c := range as.a.Dependence {
		share := 0.0
		for _, v := range c.Shares {
			if strings.EqualFold(v.Vendor, p.Name) || slices.ContainsFunc(p.Aliases, func(a string) bool { return strings.EqualFold(a, v.Vendor) }) {
				share = v.Share
			}
		}
		line := fmt.Sprintf("category %s: vendor share %.1f%%, HHI %.0f (%s)", c.Category, share, c.HHI, c.Level)
		if c.SingleSource {
			line += ", single source"
			fe.Level = "high"
		} else if c.Level == "high" && fe.Level == "low" {
			fe.Level = "medium"
		}
		if len(c.Alternatives) > 0 {
			line += ", qualified alternatives: " + strings.Join(c.Alternatives, ", ")
		}
		fe.Evidence = append(fe.Evidence, line)
	}
	if len(fe.Evidence) == 0 {
		fe.Evidence = []string{"no end-of-life data or installed base given"}
		fe.Level = "unknown"
	}
	return fe
}
