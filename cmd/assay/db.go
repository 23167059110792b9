package main

import "github.com/spf13/cobra"

func newDBCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the advisory database (OSV, NVD, CISA KEV, EPSS, Debian, Alpine)",
	}
	return cmd
}
