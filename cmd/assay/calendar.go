package main

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/assayhq/assay/calendar"
)

// calendarDir is where imported calendars are stored inside the data
// directory.
func calendarDir(g *globals) (string, error) {
	home, err := g.homeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "calendars"), nil
}

func newCalendarCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "calendar",
		Short: "Working-day calendars for statutory review clocks (cn, jp, us, nl)",
		Long: `Working-day calendars for the statutory review clocks.

cn (China, holiday-cn with make-up working days) and jp (Japan, Cabinet
Office syukujitsu.csv) are imported from data with "assay calendar update";
us (federal, 5 U.S.C. 6103) and nl (Netherlands) are rule-based.

Convention: N working days from date D is the N-th working day after D;
D itself never counts.`,
	}
	cmd.AddCommand(newCalendarUpdateCmd(g), newCalendarAddCmd(g), newCalendarBetweenCmd(g))
	return cmd
}

func newCalendarUpdateCmd(g *globals) *cobra.Command {
	var mirror string
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Import the China and Japan calendars from their sources or a mirror",
		Example: `  assay calendar update
  assay calendar update --mirror ../shared/supplierdata/calendars`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := calendarDir(g)
			if err != nil {
				return err
			}
			cals, err := calendar.Update(cmd.Context(), calendar.Source{Mirror: mirror}, dir)
			if err != nil {
				return err
			}
			for _, c := range cals {
				fmt.Fprintf(cmd.OutOrStdout(), "%s\t%d-%d\t%d holidays\t%d make-up working days\t%s\n",
					c.Name, c.FirstYear, c.LastYear, len(c.Holidays), len(c.Workdays), c.Version)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&mirror, "mirror", "", "directory or http(s) URL laid out as holiday-cn/{year}.json and jp/syukujitsu.csv (default: the official online sources)")
	return cmd
}

func loadCalendar(g *globals, name string) (*calendar.Calendar, error) {
	dir, err := calendarDir(g)
	if err != nil {
		return nil, err
	}
	return calendar.Load(dir, name)
}

func newCalendarAddCmd(g *globals) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "add DATE N",
		Short:   "Print the N-th working day after DATE (YYYY-MM-DD)",
		Example: `  assay calendar add 2023-03-31 10 --calendar cn   # prints 2023-04-17`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := calendar.ParseDate(args[0])
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(args[1])
			if err != nil {
				return fmt.Errorf("working days %q: not an integer", args[1])
			}
			c, err := loadCalendar(g, name)
			if err != nil {
				return err
			}
			due, err := c.Add(d, n)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), due.Format(calendar.DateLayout))
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "calendar", "cn", "calendar: cn, jp, us or nl")
	return cmd
}

func newCalendarBetweenCmd(g *globals) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "between A B",
		Short:   "Print the number of working days in (A, B]",
		Example: `  assay calendar between 2023-03-31 2023-05-21 --calendar cn   # prints 33`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := calendar.ParseDate(args[0])
			if err != nil {
				return err
			}
			b, err := calendar.ParseDate(args[1])
			if err != nil {
				return err
			}
			c, err := loadCalendar(g, name)
			if err != nil {
				return err
			}
			n, err := c.Between(a, b)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), n)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "calendar", "cn", "calendar: cn, jp, us or nl")
	return cmd
}
