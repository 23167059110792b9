package lists

// SourceFile is one file of a list: its official download URL and its path
// in a mirror laid out like ../shared/supplierdata
// (restricted/<list>/<files as published>).
type SourceFile struct {
	Name       string
	URL        string
	MirrorPath string
	// Optional files may be missing without failing the list.
	Optional bool
}

// parseFunc turns the fetched files of a list (by SourceFile.Name) into
// entries and the data date (YYYY-MM-DD, "" when unknown).
type parseFunc func(files map[string][]byte, lim Limits) ([]Entry, string, error)

// Source describes one list: where it is published and how it is read.
type Source struct {
	ID        string
	Title     string
	Publisher string
	Files     []SourceFile
	// MirrorOptional lists may be absent from a mirror (the shared
	// supplierdata mirror has no copy of them): a mirror without their
	// files skips them instead of failing. From the official URLs they are
	// always required.
	MirrorOptional bool
	parse          parseFunc
}

const (
	ofacExports = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
	osDatasets  = "https://raw.githubusercontent.com/opensanctions/opensanctions/main/datasets/"
	curated     = "restricted/opensanctions-curated/"
	// euFSF is the EU Financial Sanctions Files full list, XML 1.1, with
	// the public token the FSF page publishes.
	euFSF = "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw"
)

// Sources returns every supported list, in screening-output order.
func Sources() []Source {
	return []Source{
		{ID: "us-ofac-sdn", Title: "OFAC Specially Designated Nationals (SDN) list", Publisher: "US Treasury OFAC",
			Files: []SourceFile{
				{Name: "sdn.csv", URL: ofacExports + "SDN.CSV", MirrorPath: "restricted/us-ofac/sdn-2024-05-03/sdn.csv"},
				{Name: "add.csv", URL: ofacExports + "ADD.CSV", MirrorPath: "restricted/us-ofac/sdn-aux-2025-12/add.csv", Optional: true},
				{Name: "alt.csv", URL: ofacExports + "ALT.CSV", MirrorPath: "restricted/us-ofac/sdn-aux-2025-12/alt.csv", Optional: true},
				{Name: "sdn_comments.csv", URL: ofacExports + "SDN_COMMENTS.CSV", MirrorPath: "restricted/us-ofac/sdn-aux-2025-12/sdn_comments.csv", Optional: true},
			},
			parse: parseOFACCSVSet("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"),
		},
		{ID: "us-ofac-cons", Title: "OFAC Consolidated (non-SDN) list, CSV", Publisher: "US Treasury OFAC",
			Files: []SourceFile{
				{Name: "cons_prim.csv", URL: ofacExports + "CONS_PRIM.CSV", MirrorPath: "restricted/us-ofac/non-sdn-consolidated/cons_prim.csv"},
				{Name: "cons_add.csv", URL: ofacExports + "CONS_ADD.CSV", MirrorPath: "restricted/us-ofac/non-sdn-consolidated/cons_add.csv", Optional: true},
				{Name: "cons_alt.csv", URL: ofacExports + "CONS_ALT.CSV", MirrorPath: "restricted/us-ofac/non-sdn-consolidated/cons_alt.csv", Optional: true},
				{Name: "cons_comments.csv", URL: ofacExports + "CONS_COMMENTS.CSV", MirrorPath: "restricted/us-ofac/non-sdn-consolidated/cons_comments.csv", Optional: true},
			},
			parse: parseOFACCSVSet("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
		},
		{ID: "us-ofac-cons-enhanced", Title: "OFAC Consolidated (non-SDN) list, Enhanced XML", Publisher: "US Treasury OFAC",
			Files: []SourceFile{
				{Name: "CONS_ENHANCED.ZIP", URL: ofacExports + "CONS_ENHANCED.ZIP", MirrorPath: "restricted/us-ofac/non-sdn-consolidated/CONS_ENHANCED.ZIP"},
			},
			parse: parseOFACEnhanced("CONS_ENHANCED.ZIP"),
		},
		{ID: "us-ofac-sdn-advanced", Title: "OFAC SDN list, Advanced XML", Publisher: "US Treasury OFAC", MirrorOptional: true,
			Files: []SourceFile{{Name: "SDN_ADVANCED.XML", URL: ofacExports + "SDN_ADVANCED.XML", MirrorPath: "restricted/us-ofac/SDN_ADVANCED.XML"}},
			parse: parseOFACAdvanced("SDN_ADVANCED.XML"),
		},
		{ID: "us-trade-csl", Title: "US Consolidated Screening List (trade.gov), incl. BIS Entity List", Publisher: "US ITA / Commerce, State, Treasury",
			Files: []SourceFile{
				{Name: "consolidated.csv", URL: "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv", MirrorPath: "restricted/us-trade-csl/consolidated.csv.gz"},
			},
			parse: parseCSL,
		},
		{ID: "us-bis-dpl", Title: "BIS Denied Persons List", Publisher: "US Commerce BIS",
			Files: []SourceFile{{Name: "dpl.txt", URL: "https://www.bis.doc.gov/dpl/dpl.txt", MirrorPath: "restricted/us-bis-dpl/dpl.txt"}},
			parse: parseDPL,
		},
		{ID: "un-sc", Title: "UN Security Council Consolidated List", Publisher: "United Nations Security Council",
			Files: []SourceFile{{Name: "consolidated.xml", URL: "https://scsanctions.un.org/resources/xml/en/consolidated.xml", MirrorPath: "restricted/un-sc/consolidated.xml"}},
			parse: parseUN,
		},
		{ID: "us-fcc-covered", Title: "FCC Covered List", Publisher: "US FCC (curated by OpenSanctions)",
			Files: []SourceFile{{Name: "table.csv", URL: osDatasets + "us/fcc_covered_list/table.csv", MirrorPath: curated + "us_fcc_covered_list.table.csv"}},
			parse: parseFCC,
		},
		{ID: "cn-mofcom", Title: "China MOFCOM Unreliable Entity List, export-control lists and MFA countermeasures", Publisher: "PRC MOFCOM / MFA (curated by OpenSanctions)",
			Files: []SourceFile{{Name: "sanctions.csv", URL: osDatasets + "cn/sanctions/sanctions.csv", MirrorPath: curated + "cn_sanctions.csv"}},
			parse: parseCNSanctions,
		},
		{ID: "us-dod-1260h", Title: "DoD Section 1260H Chinese military companies", Publisher: "US DoD (curated by OpenSanctions)",
			Files: []SourceFile{{Name: "sanctions.csv", URL: osDatasets + "us/dod_chinese_milcorps/sanctions.csv", MirrorPath: curated + "us_dod_chinese_milcorps_1260h.csv"}},
			parse: parse1260H,
		},
		specialLeg("us-ndaa-889", "NDAA FY2019 §889 prohibited telecommunications and video surveillance", "section_889.csv", "us_special_leg_section_889.csv"),
		specialLeg("us-ndaa-5949", "NDAA FY2023 §5949 semiconductor procurement ban", "section_5949.csv", "us_special_leg_section_5949.csv"),
		specialLeg("us-ndaa-154", "NDAA FY2024 §154 battery procurement ban", "section_154.csv", "us_special_leg_section_154.csv"),
		specialLeg("us-ndaa-1286", "NDAA FY2019 §1286 foreign institutions of concern", "section_1286.csv", "us_special_leg_section_1286.csv"),
		specialLeg("us-state-inksna", "State Department INKSNA nonproliferation sanctions", "inksna.csv", "us_special_leg_inksna.csv"),
		{ID: "eu-fsf", Title: "EU consolidated financial sanctions list (FSF)", Publisher: "European Commission (FPI)", MirrorOptional: true,
			Files: []SourceFile{{Name: "eu-fsf.xml", URL: euFSF, MirrorPath: "restricted/eu-fsf/xmlFullSanctionsList_1_1.xml"}},
			parse: parseEU,
		},
		{ID: "uk-sanctions", Title: "UK Sanctions List (FCDO)", Publisher: "UK Foreign, Commonwealth and Development Office", MirrorOptional: true,
			Files: []SourceFile{{Name: "UK-Sanctions-List.xml", URL: "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml", MirrorPath: "restricted/uk-fcdo/UK-Sanctions-List.xml"}},
			parse: parseUK,
		},
		{ID: "us-bis-mieu", Title: "BIS Military-Intelligence End Users (EAR §744.22)", Publisher: "US Commerce BIS (curated by OpenSanctions)",
			Files: []SourceFile{{Name: "mieu.csv", URL: osDatasets + "us/bis_mieu/mieu.csv", MirrorPath: curated + "us_bis_mieu.csv"}},
			parse: parseMIEU,
		},
	}
}

func specialLeg(id, title, upstream, mirror string) Source {
	return Source{ID: id, Title: title, Publisher: "US Congress (curated by OpenSanctions)",
		Files: []SourceFile{{Name: upstream, URL: osDatasets + "us/special_leg/source_files/" + upstream, MirrorPath: curated + mirror}},
		parse: parseSpecialLeg(upstream),
	}
}

// SourceByID returns the list with the given ID.
func SourceByID(id string) (Source, bool) {
	for _, s := range Sources() {
		if s.ID == id {
			return s, true
		}
	}
	return Source{}, false
}
