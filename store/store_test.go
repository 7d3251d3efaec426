package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/precisbot/precis/internal/pgtest"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// backend is a database engine the tests run against.
type backend struct {
	name string
	// newURL returns the DATABASE_URL of a fresh, empty database that lives
	// as long as the test.
	newURL func(t testing.TB) string
}

// open opens a fresh database of the backend with clock as the store clock.
func (b backend) open(t testing.TB, clock *fakeClock) *Store {
	t.Helper()
	return openURL(t, b.newURL(t), clock)
}

// testBackends is SQLite, plus PostgreSQL when PRECIS_TEST_POSTGRES_URL
// names a server (postgres://user:pass@host:port/db), where every test gets
// a schema of its own.
func testBackends() []backend {
	bs := []backend{{name: "sqlite", newURL: func(t testing.TB) string {
		return "sqlite:" + filepath.Join(t.TempDir(), "precis.db")
	}}}
	if base := os.Getenv("PRECIS_TEST_POSTGRES_URL"); base != "" {
		bs = append(bs, backend{name: "postgres", newURL: func(t testing.TB) string {
			return postgresSchemaURL(t, base)
		}})
	}
	return bs
}

// forEachBackend runs fn as a parallel subtest for each backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Parallel()
	for _, b := range testBackends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

// postgresSchemaURL creates a schema for one test, dropped when it ends, and
// returns base with search_path pointing at it.
func postgresSchemaURL(t testing.TB, base string) string { return pgtest.SchemaURL(t, base) }

// openTest opens a fresh SQLite database in t.TempDir with clock as the
// store clock.
func openTest(t testing.TB, clock *fakeClock) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "precis.db"), clock)
}

func openAt(t testing.TB, path string, clock *fakeClock) *Store {
	t.Helper()
	return openURL(t, "sqlite:"+path, clock)
}

// openURL opens databaseURL, closing it when the test ends.
func openURL(t testing.TB, databaseURL string, clock *fakeClock) *Store {
	t.Helper()
	opts := Options{}
	if clock != nil {
		opts.Now = clock.Now
	}
	s, err := OpenWith(context.Background(), databaseURL, opts)
	if err != nil {
		t.Fatalf("open %s: %v", redactURL(databaseURL), err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestParseDatabaseURL(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in       string
		want     string
		memory   bool
		postgres bool
		wantErr  string
	}{
		{in: "", want: filepath.Join(wd, "precis.db")},
		{in: "sqlite:precis.db", want: filepath.Join(wd, "precis.db")},
		{in: "  sqlite:precis.db\n", want: filepath.Join(wd, "precis.db")},
		{in: "sqlite:data/dir/x.db", want: filepath.Join(wd, "data/dir/x.db")},
		{in: "sqlite:/var/lib/precis/x.db", want: "/var/lib/precis/x.db"},
		{in: "sqlite:///var/lib/precis/x.db", want: "/var/lib/precis/x.db"},
		{in: "sqlite://localhost/var/x.db", want: "/var/x.db"},
		{in: "SQLite3:x.db", want: filepath.Join(wd, "x.db")},
		{in: "file:x.db", want: filepath.Join(wd, "x.db")},
		{in: "file:///srv/x.db", want: "/srv/x.db"},
		{in: "x.db", want: filepath.Join(wd, "x.db")},
		{in: "./rel/x.db", want: filepath.Join(wd, "rel/x.db")},
		{in: "/abs/x.db", want: "/abs/x.db"},
		{in: "sqlite::memory:", want: ":memory:", memory: true},
		{in: "postgres://u:secret@db/precis", postgres: true},
		{in: "postgresql://db/precis?sslmode=disable", postgres: true},
		{in: "mysql://u:secret@db/precis", wantErr: `unsupported scheme "mysql"`},
		{in: "sqlite:x.db?mode=ro", wantErr: "query parameters are not supported"},
		{in: "sqlite://host/x.db", wantErr: "want sqlite:PATH"},
		{in: "sqlite:", wantErr: "empty path"},
	}
	for _, tt := range tests {
		got, err := parseDatabaseURL(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseDatabaseURL(%q) error = %v, want containing %q", tt.in, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("parseDatabaseURL(%q) error leaks the password: %v", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseDatabaseURL(%q): %v", tt.in, err)
			continue
		}
		if tt.postgres {
			if got.postgres != strings.TrimSpace(tt.in) || got.path != "" {
				t.Errorf("parseDatabaseURL(%q) = %+v, want postgres", tt.in, got)
			}
			continue
		}
		if got.path != tt.want || got.memory != tt.memory {
			t.Errorf("parseDatabaseURL(%q) = %+v, want path %q memory %v", tt.in, got, tt.want, tt.memory)
		}
	}
}

func TestOpenPathForms(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, url, file string
	}{
		{"sqlite absolute", "sqlite:" + filepath.Join(dir, "a.db"), filepath.Join(dir, "a.db")},
		{"sqlite triple slash", "sqlite://" + filepath.Join(dir, "b.db"), filepath.Join(dir, "b.db")},
		{"nested dir created", "sqlite:" + filepath.Join(dir, "x", "y", "c.db"), filepath.Join(dir, "x", "y", "c.db")},
		{"file URI", "file://" + filepath.Join(dir, "d.db"), filepath.Join(dir, "d.db")},
		{"plain path", filepath.Join(dir, "e.db"), filepath.Join(dir, "e.db")},
		{"odd characters", "sqlite:" + filepath.Join(dir, "we%ird name.db"), filepath.Join(dir, "we%ird name.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.url)
			if err != nil {
				t.Fatalf("Open(%q): %v", tt.url, err)
			}
			defer s.Close()
			if s.Path() != tt.file {
				t.Errorf("Path() = %q, want %q", s.Path(), tt.file)
			}
			if err := s.Ping(context.Background()); err != nil {
				t.Errorf("Ping: %v", err)
			}
			if _, err := os.Stat(tt.file); err != nil {
				t.Errorf("database file: %v", err)
			}
		})
	}
}

// TestOpenRelativePath changes the working directory, so it cannot run in
// parallel with other tests.
func TestOpenRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, u := range []string{"sqlite:precis.db", "sqlite:data/nested/x.db", "rel.db"} {
		s, err := Open(context.Background(), u)
		if err != nil {
			t.Fatalf("Open(%q): %v", u, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"precis.db", "data/nested/x.db", "rel.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not created in the working directory: %v", f, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Nothing listens on port 1; the password must not show in the error.
	_, err := Open(ctx, "postgres://precis:hunter2@127.0.0.1:1/precis?connect_timeout=5")
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "postgres") {
		t.Errorf("unreachable postgres: err = %v", err)
	}
	if _, err := Open(ctx, "redis://x"); err == nil {
		t.Error("redis: no error")
	}
	// A file where the parent directory should be.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, "sqlite:"+filepath.Join(blocker, "x.db")); err == nil {
		t.Error("parent is a file: no error")
	}
	// Not a database.
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, "sqlite:"+junk); err == nil {
		t.Error("junk file: no error")
	}
}

func TestMemoryDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutSummary(ctx, "k", "u", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.CachedSummary(ctx, "k"); err != nil || !ok || string(got) != "v" {
		t.Errorf("CachedSummary = %q, %v, %v", got, ok, err)
	}
}

func TestMigrations(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		ms, err := loadMigrations(migrationFiles)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 || ms[0].version != 1 {
			t.Fatalf("embedded migrations = %+v, want version 1 first", ms)
		}
		latest := ms[len(ms)-1].version

		u := b.newURL(t)
		clock := newClock()
		s := openURL(t, u, clock)
		if v, err := s.SchemaVersion(ctx); err != nil || v != latest {
			t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, latest)
		}
		if err := s.PutSummary(ctx, "k", "u", []byte("kept")); err != nil {
			t.Fatal(err)
		}

		// Re-opening applies nothing and keeps the data.
		clock.Advance(time.Hour)
		s2 := openURL(t, u, clock)
		var n int
		var appliedAt string
		if err := s2.rdb.QueryRowContext(ctx, `SELECT COUNT(*), MAX(applied_at) FROM schema_migrations`).Scan(&n, &appliedAt); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
		}
		if want := fmtTime(clock.Now().Add(-time.Hour)); appliedAt != want {
			t.Errorf("applied_at = %s, want the first open's %s (migrations re-applied?)", appliedAt, want)
		}
		if got, ok, _ := s2.CachedSummary(ctx, "k"); !ok || string(got) != "kept" {
			t.Errorf("data lost on re-open: %q %v", got, ok)
		}

		// A database migrated by a newer build is refused.
		if _, err := s2.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '')`); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, u); err == nil || !strings.Contains(err.Error(), "newer than this build") {
			t.Errorf("open of a newer schema: err = %v", err)
		}
	})
}

func TestSQLiteConnectionSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t, nil)
	for _, p := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"synchronous", "1"},
	} {
		for name, db := range map[string]*sqlDB{"write": s.db, "read": s.rdb} {
			var got string
			if err := db.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != p.want {
				t.Errorf("%s connection: PRAGMA %s = %s, want %s", name, p.pragma, got, p.want)
			}
		}
	}
	// Reads go through query_only connections.
	if _, err := s.rdb.ExecContext(ctx, `DELETE FROM summaries`); err == nil {
		t.Error("write through the read pool succeeded")
	}
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		u := b.newURL(t)
		const n = 6
		var wg sync.WaitGroup
		errs := make(chan error, n)
		stores := make(chan *Store, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := Open(context.Background(), u)
				if err != nil {
					errs <- err
					return
				}
				stores <- s
			}()
		}
		wg.Wait()
		close(errs)
		close(stores)
		for err := range errs {
			t.Errorf("concurrent Open: %v", err)
		}
		ms, _ := loadMigrations(migrationFiles)
		for s := range stores {
			var rows int
			if err := s.rdb.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&rows); err != nil {
				t.Error(err)
			}
			if rows != len(ms) {
				t.Errorf("schema_migrations rows = %d, want %d", rows, len(ms))
			}
			s.Close()
		}
	})
}

func TestLoadMigrations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr string
	}{
		{
			name: "ordered by number, not by name",
			files: fstest.MapFS{
				"migrations/0010_ten.sql": {Data: []byte("SELECT 10")},
				"migrations/0002_two.sql": {Data: []byte("SELECT 2")},
				"migrations/0001_one.sql": {Data: []byte("SELECT 1")},
				"migrations/README.md":    {Data: []byte("ignored")},
			},
			want: []int{1, 2, 10},
		},
		{
			name: "duplicate version",
			files: fstest.MapFS{
				"migrations/0001_one.sql": {Data: []byte("x")},
				"migrations/1_uno.sql":    {Data: []byte("y")},
			},
			wantErr: "share version 1",
		},
		{
			name:    "bad name",
			files:   fstest.MapFS{"migrations/init.sql": {Data: []byte("x")}},
			wantErr: "NNNN_description.sql",
		},
		{
			name:    "version zero",
			files:   fstest.MapFS{"migrations/0000_zero.sql": {Data: []byte("x")}},
			wantErr: "NNNN_description.sql",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.files)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("versions = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("versions = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestTimeRoundTrip(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	times := []time.Time{
		time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
		time.Date(2025, 7, 1, 23, 59, 59, 999999999, berlin),
		time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC),
		{},
	}
	for _, in := range times {
		got, err := parseTime(fmtTime(in))
		if err != nil || !got.Equal(in) || got.Location() != time.UTC {
			t.Errorf("round trip of %v = %v, %v", in, got, err)
		}
	}
	// Text order is time order.
	a, b := fmtTime(time.Date(2025, 1, 1, 0, 0, 0, 0, berlin)), fmtTime(time.Date(2024, 12, 31, 22, 30, 0, 1, time.UTC))
	if !(b < a) {
		t.Errorf("%s should sort before %s", b, a)
	}
}

func TestCloseThenUse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, err := Open(context.Background(), b.newURL(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(context.Background()); err == nil {
			t.Error("Ping after Close succeeded")
		}
		if err := s.PutSummary(context.Background(), "k", "u", nil); err == nil {
			t.Error("PutSummary after Close succeeded")
		}
	})
}

func TestCanceledContext(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.open(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.ClaimDigestRun(ctx, "c", "2025-01-01", "o", time.Now(), time.Minute); !errors.Is(err, context.Canceled) {
			t.Errorf("ClaimDigestRun with canceled context: err = %v", err)
		}
	})
}

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pg       bool
		in, want string
	}{
		{false, "SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = ? AND c = ?"},
		{true, "SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{true, "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"},
		{true, "SELECT 1", "SELECT 1"},
		{true, "SELECT 'é' = ?", "SELECT 'é' = $1"},
	}
	for _, tt := range tests {
		if got := rebind(tt.pg, tt.in); got != tt.want {
			t.Errorf("rebind(%v, %q) = %q, want %q", tt.pg, tt.in, got, tt.want)
		}
	}
}
