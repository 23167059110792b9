package review

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/calendar"
)

// Errors a Repo returns (wrapped).
var (
	ErrNotFound = errors.New("case not found")
	ErrConflict = errors.New("case changed concurrently")
)

// Change describes one recorded change for the audit log.
type Change struct {
	Actor  string
	Action string
	Reason string
	At     time.Time
	// Detail is action-specific data; it must encode as JSON.
	Detail any
}

// Repo persists cases. Every Create and Update stores the case and appends
// the change to the audit log atomically.
type Repo interface {
	// Create assigns c.ID, sets c.Version to 1 and stores c.
	Create(ctx context.Context, c *Case, ch Change) error
	// Get returns the case or an error wrapping ErrNotFound.
	Get(ctx context.Context, id string) (*Case, error)
	// List returns every case, oldest first.
	List(ctx context.Context) ([]*Case, error)
	// Update stores c if the stored version is still c.Version (else an
	// error wrapping ErrConflict) and increments c.Version.
	Update(ctx context.Context, c *Case, ch Change) error
}

// Blobs stores evidence content by its SHA-256.
type Blobs interface {
	// Put stores the content read from r and returns its hex SHA-256 and size.
	Put(ctx context.Context, r io.Reader) (sha256 string, size int64, err error)
}

// Service runs review operations over a Repo.
type Service struct {
	Repo  Repo
	Blobs Blobs
	// Calendars loads a working-day calendar by name (see package calendar).
	Calendars func(name string) (*calendar.Calendar, error)
	// Now gives the current time; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// calendarVersionFor returns the version of the case calendar when state
// `to` has a statutory clock (the clock basis), else "".
func (s *Service) calendarVersionFor(c *Case, to State) (string, error) {
	if _, clocked := clockDays(to); !clocked {
		return "", nil
	}
	cal, err := s.Calendars(c.Calendar)
	if err != nil {
		return "", fmt.Errorf("case %s calendar: %w", c.ID, err)
	}
	return cal.Version, nil
}

// CreateInput describes a new case.
type CreateInput struct {
	// Reopens names the case whose commitment breach this case reviews.
	Reopens  string
	Title    string
	Trigger  Trigger
	Scope    Scope
	Calendar string
	Event    Event
}

// Create opens a case: an application starts as DRAFT; an ex-officio review
// starts in INITIAL_REVIEW on Event.Date (the written notice after Central
// Commission approval, Art. 16).
func (s *Service) Create(ctx context.Context, in CreateInput) (*Case, error) {
	if err := checkEvent(in.Event, false, "create"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Scope.Vendor) == "" {
		return nil, errors.New("create: a vendor is required")
	}
	if in.Calendar == "" {
		in.Calendar = "cn"
	}
	if !slices.Contains(calendar.Names(), in.Calendar) {
		return nil, fmt.Errorf("create: unknown calendar %q (known: %s)", in.Calendar, strings.Join(calendar.Names(), ", "))
	}
	c := &Case{Title: in.Title, Trigger: in.Trigger, Scope: in.Scope, Calendar: in.Calendar, Reopens: in.Reopens,
		Created: s.now(), CreatedBy: in.Event.Actor, Factors: newFactors()}
	var to State
	switch in.Trigger {
	case TriggerApplication:
		to = StateDraft
		if c.Scope.Kind == "" {
			c.Scope.Kind = ScopeProcurement
		}
	case TriggerExOfficio:
		to = StateInitialReview
		if c.Scope.Kind == "" {
			c.Scope.Kind = ScopeVendorProducts
		}
	default:
		return nil, fmt.Errorf("create: trigger %q: want APPLICATION or EX_OFFICIO", in.Trigger)
	}
	if c.Scope.Kind != ScopeProcurement && c.Scope.Kind != ScopeVendorProducts {
		return nil, fmt.Errorf("create: scope %q: want PROCUREMENT or VENDOR_PRODUCTS", c.Scope.Kind)
	}
	if c.Title == "" {
		kind := "Application"
		if in.Trigger == TriggerExOfficio {
			kind = "Ex-officio"
		}
		c.Title = fmt.Sprintf("%s review of %s", kind, c.Scope.Vendor)
	}
	version, err := s.calendarVersionFor(c, to)
	if err != nil {
		return nil, err
	}
	date, err := effectiveDate(c, in.Event, c.Created)
	if err != nil {
		return nil, err
	}
	transition(c, "create", to, date, c.Created, in.Event, version)
	ch := Change{Actor: in.Event.Actor, Action: "case.create", Reason: in.Event.Reason, At: c.Created,
		Detail: map[string]any{"trigger": c.Trigger, "scope": c.Scope, "state": c.State, "date": date}}
	if err := s.Repo.Create(ctx, c, ch); err != nil {
		return nil, fmt.Errorf("create case: %w", err)
	}
	return c, nil
}

// Get returns a case.
func (s *Service) Get(ctx context.Context, id string) (*Case, error) { return s.Repo.Get(ctx, id) }

// List returns every case.
func (s *Service) List(ctx context.Context) ([]*Case, error) { return s.Repo.List(ctx) }

// MaxConflictRetries is how often a change is recomputed on a fresh copy
// when another writer changed the case in between.
const MaxConflictRetries = 3

// mutate loads a case, applies fn and stores it with its audit record,
// retrying on a concurrent change.
func (s *Service) mutate(ctx context.Context, id, action string, ev Event, fn func(c *Case, now time.Time) (any, error)) (*Case, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.Repo.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		now := s.now()
		detail, err := fn(c, now)
		if err != nil {
			return nil, err
		}
		ch := Change{Actor: ev.Actor, Action: action, Reason: ev.Reason, At: now, Detail: detail}
		err = s.Repo.Update(ctx, c, ch)
		if errors.Is(err, ErrConflict) && attempt < MaxConflictRetries {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s case %s: %w", action, id, err)
		}
		return c, nil
	}
}

// move performs a state-machine action (submit, request-materials, accept,
// advance) to the target state.
func (s *Service) move(ctx context.Context, id, action string, to State, ev Event) (*Case, error) {
	return s.mutate(ctx, id, "case."+action, ev, func(c *Case, now time.Time) (any, error) {
		from := c.State
		version, err := s.calendarVersionFor(c, to)
		if err != nil {
			return nil, err
		}
		if err := apply(c, action, to, ev, now, version); err != nil {
			return nil, err
		}
		return map[string]any{"from": from, "to": to, "date": c.lastDate()}, nil
	})
}

// Submit sends a draft application (DRAFT → SUBMITTED).
func (s *Service) Submit(ctx context.Context, id string, ev Event) (*Case, error) {
	return s.move(ctx, id, "submit", StateSubmitted, ev)
}

// Accept records complete Art. 8 materials and starts screening (10 WD).
func (s *Service) Accept(ctx context.Context, id string, ev Event) (*Case, error) {
	return s.move(ctx, id, "accept", StateScreening, ev)
}

// RequestMaterials marks a submission incomplete (clock not started).
func (s *Service) RequestMaterials(ctx context.Context, id string, ev Event) (*Case, error) {
	return s.move(ctx, id, "request-materials", StateAwaitingMaterials, ev)
}

// Advance moves a case along the review path: INITIAL_REVIEW, OPINIONS,
// SPECIAL_REVIEW (reason required), MONITORING or CLOSED.
func (s *Service) Advance(ctx context.Context, id string, to State, ev Event) (*Case, error) {
	return s.move(ctx, id, "advance", to, ev)
}

// Extend lengthens the running initial (15 WD, once) or special review.
func (s *Service) Extend(ctx context.Context, id string, days int, ev Event) (*Case, error) {
	return s.mutate(ctx, id, "case.extend", ev, func(c *Case, now time.Time) (any, error) {
		if err := extend(c, days, ev, now); err != nil {
			return nil, err
		}
		st := c.stage()
		return map[string]any{"state": c.State, "working_days": st.Extensions[len(st.Extensions)-1].Days, "date": c.lastDate()}, nil
	})
}

// Pause stops the clock while requested materials are outstanding.
func (s *Service) Pause(ctx context.Context, id string, ev Event) (*Case, error) {
	return s.mutate(ctx, id, "case.pause", ev, func(c *Case, now time.Time) (any, error) {
		if err := pause(c, ev, now); err != nil {
			return nil, err
		}
		return map[string]any{"state": c.State, "date": c.lastDate()}, nil
	})
}

// Resume restarts a paused clock.
func (s *Service) Resume(ctx context.Context, id string, ev Event) (*Case, error) {
	return s.mutate(ctx, id, "case.resume", ev, func(c *Case, now time.Time) (any, error) {
		if err := resume(c, ev, now); err != nil {
			return nil, err
		}
		return map[string]any{"state": c.State, "date": c.lastDate()}, nil
	})
}

// Attach stores content as evidence of a case.
func (s *Service) Attach(ctx context.Context, id string, r io.Reader, in EvidenceInput, ev Event) (*Case, *Evidence, error) {
	if err := checkEvent(ev, false, "attach"); err != nil {
		return nil, nil, err
	}
	if _, err := newEvidence(in, "", 0, ev.Actor, s.now()); err != nil {
		return nil, nil, err
	}
	if _, err := s.Repo.Get(ctx, id); err != nil {
		return nil, nil, err
	}
	sha, size, err := s.Blobs.Put(ctx, r)
	if err != nil {
		return nil, nil, fmt.Errorf("attach to case %s: %w", id, err)
	}
	var added Evidence
	c, err := s.mutate(ctx, id, "case.attach", ev, func(c *Case, now time.Time) (any, error) {
		e, err := newEvidence(in, sha, size, ev.Actor, now)
		if err != nil {
			return nil, err
		}
		if err := attach(c, e); err != nil {
			return nil, err
		}
		added = e
		return e, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return c, &added, nil
}

// Propose records an automated factor proposal (from an evidence producer).
func (s *Service) Propose(ctx context.Context, id, factor string, p Proposal, ev Event) (*Case, error) {
	return s.mutate(ctx, id, "case.propose", ev, func(c *Case, now time.Time) (any, error) {
		if p.At.IsZero() {
			p.At = now
		}
		if err := propose(c, factor, p); err != nil {
			return nil, err
		}
		return map[string]any{"factor": strings.ToUpper(factor), "proposal": p}, nil
	})
}

// Assess records a reviewer's confirmation or override of a factor.
func (s *Service) Assess(ctx context.Context, id string, in AssessInput, ev Event) (*Case, error) {
	ev.Reason = in.Rationale
	return s.mutate(ctx, id, "case.assess", ev, func(c *Case, now time.Time) (any, error) {
		if err := assess(c, in, ev.Actor, now); err != nil {
			return nil, err
		}
		f, _ := c.factor(strings.ToUpper(in.Factor))
		return map[string]any{"factor": f.ID, "assessment": f.Assessment}, nil
	})
}

// Decide records the decision (ev.Reason is its rationale).
func (s *Service) Decide(ctx context.Context, id string, in DecideInput, ev Event) (*Case, error) {
	return s.mutate(ctx, id, "case.decide", ev, func(c *Case, now time.Time) (any, error) {
		if err := decide(c, in, ev, now, ""); err != nil {
			return nil, err
		}
		return c.Decision, nil
	})
}

// Restrictions lists the restricted entries created by NOT_PASSED
// decisions, for screenings to consult.
func (s *Service) Restrictions(ctx context.Context) ([]Restriction, error) {
	cases, err := s.Repo.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []Restriction
	for _, c := range cases {
		if c.Decision != nil && c.Decision.Restriction != nil {
			out = append(out, *c.Decision.Restriction)
		}
	}
	return out, nil
}

// Opinion records a member unit's or protection department's written
// opinion while the case is in OPINIONS (Art. 12).
func (s *Service) Opinion(ctx context.Context, id string, in OpinionInput, ev Event) (*Case, error) {
	return s.mutate(ctx, id, "case.opinion", ev, func(c *Case, now time.Time) (any, error) {
		o, err := addOpinion(c, in, ev, now)
		if err != nil {
			return nil, err
		}
		return o, nil
	})
}

// ReportBreach records a breach of a monitored commitment and reopens the
// matter as a new ex-officio case with the same scope, returned second.
func (s *Service) ReportBreach(ctx context.Context, id, commitment string, ev Event) (*Case, *Case, error) {
	if err := checkEvent(ev, true, "breach"); err != nil {
		return nil, nil, err
	}
	orig, err := s.Repo.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if _, err := findCommitment(orig, commitment); err != nil {
		return nil, nil, err
	}
	if _, err := effectiveDate(orig, ev, s.now()); err != nil {
		return nil, nil, err
	}
	reopened, err := s.Create(ctx, CreateInput{
		Title:    fmt.Sprintf("Ex-officio review of %s (breach of %s %s)", orig.Scope.Vendor, id, strings.ToUpper(commitment)),
		Trigger:  TriggerExOfficio,
		Scope:    orig.Scope,
		Calendar: orig.Calendar,
		Reopens:  id,
		Event:    ev,
	})
	if err != nil {
		return nil, nil, err
	}
	c, err := s.mutate(ctx, id, "case.breach", ev, func(c *Case, now time.Time) (any, error) {
		cm, err := findCommitment(c, commitment)
		if err != nil {
			return nil, err
		}
		date, err := effectiveDate(c, ev, now)
		if err != nil {
			return nil, err
		}
		cm.Status = CommitmentBreached
		cm.Breaches = append(cm.Breaches, Breach{Date: date, Actor: ev.Actor, Report: ev.Reason, ReopenedAs: reopened.ID, At: now})
		return map[string]any{"commitment": cm.ID, "reopened_as": reopened.ID, "date": date}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return c, reopened, nil
}
