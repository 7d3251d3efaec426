package digest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/precisbot/precis/store"
)

// Sources values for a schedule.
const (
	SourcesShared = "shared"
	SourcesFeeds  = "feeds"
	SourcesBoth   = "both"
)

const dateLayout = "2006-01-02"

// clockTime is a local wall-clock time of day.
type clockTime struct{ hour, min int }

func (c clockTime) String() string { return fmt.Sprintf("%02d:%02d", c.hour, c.min) }

// parseClock accepts "HH:MM" and "H:MM" on a 24-hour clock.
func parseClock(s string) (clockTime, error) {
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(m) != 2 || len(h) < 1 || len(h) > 2 {
		return clockTime{}, fmt.Errorf("time %q is not HH:MM", s)
	}
	hour, err1 := strconv.Atoi(h)
	mins, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hour < 0 || hour > 23 || mins < 0 || mins > 59 {
		return clockTime{}, fmt.Errorf("time %q is not a valid 24-hour HH:MM", s)
	}
	return clockTime{hour, mins}, nil
}

// loadZone loads an IANA zone. time.LoadLocation also accepts "" and
// "Local", which would make a schedule depend on the host, so those are
// refused.
func loadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("time zone %q is not an IANA zone name", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("load time zone %q: %w", name, err)
	}
	return loc, nil
}

// scheduledAt is the instant of wall time c on the local date (y, m, d) in
// loc. Across DST changes:
//   - a wall time that happens twice (fall back) runs at its first
//     occurrence;
//   - a wall time that does not exist (spring forward) runs as if the clock
//     had not moved yet: 02:30 in a 02:00->03:00 gap runs at 03:30, the same
//     distance after the gap's start as 02:30 is after 02:00.
func scheduledAt(y int, m time.Month, d int, c clockTime, loc *time.Location) time.Time {
	wall := time.Date(y, m, d, c.hour, c.min, 0, 0, time.UTC)
	// The offsets in effect a day before and a day after the wall time cover
	// both sides of any transition on that date (offsets span -12h..+14h).
	_, offBefore := wall.Add(-36 * time.Hour).In(loc).Zone()
	_, offAfter := wall.Add(36 * time.Hour).In(loc).Zone()
	var found []time.Time
	for _, off := range []int{offBefore, offAfter} {
		t := wall.Add(-time.Duration(off) * time.Second)
		lt := t.In(loc)
		if lt.Hour() == c.hour && lt.Minute() == c.min && lt.Day() == d {
			found = append(found, t)
		}
	}
	switch {
	case len(found) == 2:
		if found[1].Before(found[0]) {
			return found[1]
		}
		return found[0]
	case len(found) == 1:
		return found[0]
	}
	// In a gap: keep the offset from before the jump.
	t := wall.Add(-time.Duration(offBefore) * time.Second)
	if t.In(loc).Day() != d {
		// A zone that skipped the whole rest of the day; run at the end of
		// the gap, whatever it is.
		return time.Date(y, m, d, c.hour, c.min, 0, 0, loc)
	}
	return t
}

// plan is a schedule resolved for computing run times.
type plan struct {
	sched store.DigestSchedule
	at    clockTime
	loc   *time.Location
}

func newPlan(d store.DigestSchedule) (plan, error) {
	at, err := parseClock(d.Time)
	if err != nil {
		return plan{}, err
	}
	tz := d.Timezone
	if tz == "" {
		tz = "UTC" // the store's meaning of an empty zone
	}
	loc, err := loadZone(tz)
	if err != nil {
		return plan{}, err
	}
	return plan{sched: d, at: at, loc: loc}, nil
}

// localDate is the calendar date of t in the schedule's zone.
func (p plan) localDate(t time.Time) string { return t.In(p.loc).Format(dateLayout) }

// on is the run instant on the local date of t.
func (p plan) on(t time.Time) time.Time {
	lt := t.In(p.loc)
	return scheduledAt(lt.Year(), lt.Month(), lt.Day(), p.at, p.loc)
}

// dayAfter is the run instant on the local date after the one of t.
func (p plan) dayAfter(t time.Time) time.Time {
	lt := t.In(p.loc)
	// Noon avoids any DST ambiguity when stepping to the next date.
	next := time.Date(lt.Year(), lt.Month(), lt.Day()+1, 12, 0, 0, 0, p.loc)
	return scheduledAt(next.Year(), next.Month(), next.Day(), p.at, p.loc)
}

// dueToday reports whether today's run (the local date of now) should
// happen now: its time has come, the schedule already existed then (a
// schedule set at 10:00 for 09:00 starts tomorrow), and it has not run yet.
// A run missed while the bot was down is thus still posted later the same
// local day, but not on the next day.
func (p plan) dueToday(now time.Time, doneToday bool) bool {
	if doneToday {
		return false
	}
	at := p.on(now)
	return !now.Before(at) && !at.Before(p.sched.UpdatedAt.Truncate(time.Minute))
}

// next is the next run instant at or after now.
func (p plan) next(now time.Time, doneToday bool) time.Time {
	at := p.on(now)
	if !doneToday && !at.Before(p.sched.UpdatedAt.Truncate(time.Minute)) {
		if !now.Before(at) {
			return now // due (or overdue): runs at the next tick
		}
		return at
	}
	return p.dayAfter(now)
}
