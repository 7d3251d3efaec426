// Package store owns Precis's persistent state and is the one place that
// writes SQL: the summaries cache, links shared in channels, per-channel
// settings, usage counters, digest schedules and exactly-once digest runs,
// feed subscriptions, feed polling state and feed items.
//
// Storage is SQLite (modernc.org/sqlite, no cgo) with embedded, ordered
// migrations, WAL journaling, foreign keys and a busy timeout so that several
// processes (shards) can share one database file. The SQL is portable (plain
// types, ON CONFLICT upserts, no engine-specific functions), so the same
// queries and migrations also run on PostgreSQL (DATABASE_URL=postgres://...)
// for deployments with several shards on several machines.
//
// Every "exactly once" rule is a database claim, never an in-memory flag: see
// [Store.ClaimDigestRun].
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// ErrNotFound is returned when an operation needs a row that does not exist.
var ErrNotFound = errors.New("not found")

// ErrInvalid is wrapped by errors about values the store refuses to save.
var ErrInvalid = errors.New("invalid value")

// DefaultBusyTimeout is how long a SQLite write waits for another process's
// write lock before it fails with SQLITE_BUSY.
const DefaultBusyTimeout = 10 * time.Second

// Options are the optional dependencies of a Store. The zero value is ready
// to use.
type Options struct {
	// Now stamps the times the store sets itself (summary creation, settings
	// updates, feed additions, ...). Nil means time.Now.
	Now func() time.Time
	// Logger receives migration notices. Nil discards them.
	Logger *slog.Logger
	// BusyTimeout bounds how long a SQLite statement waits for a lock held by
	// another connection or process. Zero means DefaultBusyTimeout.
	BusyTimeout time.Duration
	// ReadConns is the size of the SQLite read pool. Zero means 4.
	ReadConns int
	// PostgresConns caps the PostgreSQL connection pool. Zero means 10.
	PostgresConns int
}

// Store is Precis's database. It is safe for concurrent use; several Stores
// (in one or many processes) may share one SQLite file.
type Store struct {
	// db runs writes. For SQLite it holds a single connection whose
	// transactions begin IMMEDIATE, so writers in this process queue in
	// database/sql and writers in other processes wait on the busy timeout;
	// no transaction ever needs to upgrade a read lock to a write lock.
	db *sqlDB
	// rdb runs reads: for SQLite a pool of read-only connections that WAL
	// lets proceed alongside the writer. It is db itself for in-memory
	// SQLite and for PostgreSQL.
	rdb *sqlDB

	postgres bool
	now      func() time.Time
	log      *slog.Logger
	path     string // SQLite file path; ":memory:" for an in-memory database
}

// Open opens (creating if needed) the database named by databaseURL and
// applies pending migrations. Accepted forms: "sqlite:precis.db" (relative to
// the working directory), "sqlite:/abs/x.db", "sqlite:///abs/x.db",
// "sqlite:rel/dir/x.db", "file:x.db", "file:///abs/x.db", a plain path, and
// "sqlite::memory:". An empty URL means "sqlite:precis.db". Missing parent
// directories are created. "postgres://..." and "postgresql://..." open a
// PostgreSQL database (github.com/jackc/pgx connection string).
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	return OpenWith(ctx, databaseURL, Options{})
}

// OpenWith is Open with optional dependencies such as an injected clock.
func OpenWith(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	tgt, err := parseDatabaseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	s := &Store{now: opts.Now, log: opts.Logger, path: tgt.path}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.log = s.log.With("component", "store")
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	readConns := opts.ReadConns
	if readConns <= 0 {
		readConns = 4
	}

	if tgt.postgres != "" {
		db, err := sql.Open("pgx", tgt.postgres)
		if err != nil {
			return nil, fmt.Errorf("open postgres database %s: %w", redactURL(tgt.postgres), err)
		}
		conns := opts.PostgresConns
		if conns <= 0 {
			conns = 10
		}
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("connect to postgres database %s: %w", redactURL(tgt.postgres), err)
		}
		s.postgres = true
		s.db = &sqlDB{db: db, pg: true}
		s.rdb = s.db
	} else if tgt.memory {
		// Every connection to ":memory:" is a separate database, so one
		// connection serves both reads and writes.
		db, err := sql.Open("sqlite", sqliteDSN(":memory:", busy, false))
		if err != nil {
			return nil, fmt.Errorf("open in-memory database: %w", err)
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		s.db = &sqlDB{db: db}
		s.rdb = s.db
	} else {
		if err := os.MkdirAll(filepath.Dir(tgt.path), 0o750); err != nil {
			return nil, fmt.Errorf("create database directory for %s: %w", tgt.path, err)
		}
		wdb, err := sql.Open("sqlite", sqliteDSN(tgt.path, busy, false))
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", tgt.path, err)
		}
		wdb.SetMaxOpenConns(1)
		wdb.SetMaxIdleConns(1)
		wdb.SetConnMaxLifetime(0)
		s.db = &sqlDB{db: wdb}
		// The first write connection switches the file to WAL before any
		// reader opens it; readers are query_only so a stray write through
		// them fails loudly instead of contending for the lock.
		if err := wdb.PingContext(ctx); err != nil {
			wdb.Close()
			return nil, fmt.Errorf("open database %s: %w", tgt.path, err)
		}
		rdb, err := sql.Open("sqlite", sqliteDSN(tgt.path, busy, true))
		if err != nil {
			wdb.Close()
			return nil, fmt.Errorf("open database %s: %w", tgt.path, err)
		}
		rdb.SetMaxOpenConns(readConns)
		rdb.SetMaxIdleConns(readConns)
		s.rdb = &sqlDB{db: rdb}
	}

	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// sqliteDSN builds a modernc.org/sqlite data source name for path. Pragmas
// run on every new connection: busy_timeout first (the driver orders it so),
// then foreign keys and WAL.
func sqliteDSN(path string, busy time.Duration, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(1)")
	if path != ":memory:" {
		q.Add("_pragma", "journal_mode(WAL)")
		// NORMAL is durable across application crashes in WAL mode and
		// avoids an fsync per commit.
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	name := path
	if path != ":memory:" {
		// A file: URI so that '?', '#' and '%' in the path are escaped
		// rather than parsed as URI syntax.
		name = (&url.URL{Path: path}).EscapedPath()
	}
	return "file:" + name + "?" + q.Encode()
}

// target is a parsed DATABASE_URL.
type target struct {
	path     string // absolute SQLite file path, or ":memory:"
	memory   bool
	postgres string // PostgreSQL connection URL
}

// parseDatabaseURL turns a DATABASE_URL into a SQLite file path or a
// PostgreSQL connection URL.
func parseDatabaseURL(raw string) (target, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = "sqlite:precis.db"
	}
	rest := raw
	if scheme, after, ok := strings.Cut(raw, ":"); ok && isScheme(scheme) {
		switch strings.ToLower(scheme) {
		case "sqlite", "sqlite3", "file":
			rest = after
		case "postgres", "postgresql":
			return target{postgres: raw}, nil
		default:
			return target{}, fmt.Errorf("database URL %q: unsupported scheme %q (use sqlite:PATH)", redactURL(raw), scheme)
		}
		// "sqlite:///abs/x.db" is the URL spelling of "/abs/x.db"; a
		// "//localhost/" authority is accepted as well.
		if strings.HasPrefix(rest, "//") {
			rest = strings.TrimPrefix(rest[2:], "localhost")
			if !strings.HasPrefix(rest, "/") {
				return target{}, fmt.Errorf("database URL %q: want sqlite:PATH or sqlite:///ABSOLUTE/PATH", raw)
			}
		}
		if strings.ContainsAny(rest, "?#") {
			return target{}, fmt.Errorf("database URL %q: query parameters are not supported; use sqlite:PATH", raw)
		}
	}
	if rest == "" {
		return target{}, fmt.Errorf("database URL %q: empty path", raw)
	}
	if rest == ":memory:" {
		return target{path: ":memory:", memory: true}, nil
	}
	abs, err := filepath.Abs(rest)
	if err != nil {
		return target{}, fmt.Errorf("database URL %q: %w", raw, err)
	}
	return target{path: abs}, nil
}

// isScheme reports whether s is a URL scheme of at least two characters (so
// that a Windows drive letter is not taken for one).
func isScheme(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// redactURL hides a password in a URL so it can appear in errors.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

// Path is the SQLite database file the Store uses (":memory:" for an
// in-memory database, "" for PostgreSQL).
func (s *Store) Path() string { return s.path }

// Close closes the database. The Store must not be used afterwards.
func (s *Store) Close() error {
	var errs []error
	if s.rdb != nil && s.rdb != s.db {
		errs = append(errs, s.rdb.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// Ping checks that the database answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.rdb.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// withTx runs fn in a write transaction (BEGIN IMMEDIATE on SQLite) and
// commits it if fn returns nil.
func (s *Store) withTx(ctx context.Context, fn func(*sqlTx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sqlDB is a *sql.DB whose queries are written with portable "?"
// placeholders, rewritten to "$1", "$2", ... for PostgreSQL.
type sqlDB struct {
	db *sql.DB
	pg bool
}

func (d *sqlDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.db.ExecContext(ctx, rebind(d.pg, query), cleanArgs(args)...)
}

func (d *sqlDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.db.QueryContext(ctx, rebind(d.pg, query), cleanArgs(args)...)
}

func (d *sqlDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.db.QueryRowContext(ctx, rebind(d.pg, query), cleanArgs(args)...)
}

func (d *sqlDB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sqlTx, error) {
	tx, err := d.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &sqlTx{tx: tx, pg: d.pg}, nil
}

func (d *sqlDB) PingContext(ctx context.Context) error { return d.db.PingContext(ctx) }

func (d *sqlDB) Close() error { return d.db.Close() }

// sqlTx is the transaction counterpart of sqlDB.
type sqlTx struct {
	tx *sql.Tx
	pg bool
}

func (t *sqlTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, rebind(t.pg, query), cleanArgs(args)...)
}

func (t *sqlTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, rebind(t.pg, query), cleanArgs(args)...)
}

func (t *sqlTx) PrepareContext(ctx context.Context, query string) (*sqlStmt, error) {
	st, err := t.tx.PrepareContext(ctx, rebind(t.pg, query))
	if err != nil {
		return nil, err
	}
	return &sqlStmt{st: st}, nil
}

// sqlStmt is a prepared statement whose arguments are cleaned like sqlDB's.
type sqlStmt struct{ st *sql.Stmt }

func (s *sqlStmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, cleanArgs(args)...)
}

func (s *sqlStmt) Close() error { return s.st.Close() }

// textSafe reports whether s can be stored in a TEXT column of either
// engine as it is: PostgreSQL refuses NUL bytes and invalid UTF-8 with
// "invalid byte sequence for encoding UTF8" (SQLite would store them, so
// the two engines would disagree about the same data).
func textSafe(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// cleanText makes untrusted text storable: NUL bytes and invalid UTF-8
// sequences are removed.
func cleanText(s string) string {
	if textSafe(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", "")
}

// cleanArgs applies cleanText to every string argument, so that every
// value written from untrusted input (feed items, shared links, reports,
// HTTP headers kept in feed state) is safe on both engines, and a lookup
// by the same value finds what was stored. Byte slices (BLOB/BYTEA) pass
// untouched. Keys whose identity must survive byte for byte (the summary
// cache's) are encoded by their callers before they get here.
func cleanArgs(args []any) []any {
	var out []any
	for i, a := range args {
		str, ok := a.(string)
		if !ok || textSafe(str) {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = cleanText(str)
	}
	if out == nil {
		return args
	}
	return out
}

func (t *sqlTx) Commit() error   { return t.tx.Commit() }
func (t *sqlTx) Rollback() error { return t.tx.Rollback() }

// rebind rewrites "?" placeholders to PostgreSQL's numbered form. The
// store's SQL never has "?" inside string literals.
func rebind(pg bool, query string) string {
	if !pg || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// timeLayout is RFC 3339 with a fixed nine-digit fraction: in UTC every
// stamp has the same width, so text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// fmtTime renders t for storage.
func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime renders t for a nullable column: NULL when t is zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtTime(t)
}

// parseTime reads a stored time.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// parseNullTime reads a nullable stored time; NULL is the zero time.
func parseNullTime(ns sql.NullString) (time.Time, error) {
	if !ns.Valid || ns.String == "" {
		return time.Time{}, nil
	}
	return parseTime(ns.String)
}

// stampOr returns t, or the store's clock when t is zero.
func (s *Store) stampOr(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}

// retryTransient runs fn, and again after a short backoff while it fails
// with an error that a moment's wait may cure (isTransient), until it
// succeeds, fails otherwise, maxTries is reached or ctx ends. fn must be
// safe to repeat: one statement, or a transaction that rolled back.
func retryTransient(ctx context.Context, fn func() error) error {
	const maxTries = 6
	wait := 50 * time.Millisecond
	var err error
	for try := 1; ; try++ {
		err = fn()
		if err == nil || !isTransient(err) || try == maxTries {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
}

// isTransient reports whether err is a database error worth retrying: a
// SQLite file locked by another writer (SQLITE_BUSY or SQLITE_LOCKED after
// the busy timeout), a PostgreSQL serialization failure, deadlock or lost
// connection.
func isTransient(err error) bool {
	if errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var coded interface{ Code() int } // modernc.org/sqlite's *Error
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return true
		}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "40001", pg.Code == "40P01": // serialization_failure, deadlock_detected
			return true
		case strings.HasPrefix(pg.Code, "08"), pg.Code == "57P01": // connection exception, admin shutdown
			return true
		}
	}
	return pgconn.SafeToRetry(err)
}
