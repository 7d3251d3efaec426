package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "sqlite:precis.db" || c.FetchTimeout != 15*time.Second || c.FetchMaxBytes != 5<<20 ||
		c.HTTPAddr != ":8080" || c.DiscordAPIURL != "https://discord.com/api/v9" || c.LLMAPIKey != "" ||
		c.LogLevel != "info" || c.LogFormat != "text" || c.FetchAllowPrivate ||
		!c.ArchiveFallback || c.ArchiveWaybackURL != "https://archive.org" || c.ArchiveTodayURL != "https://archive.ph" ||
		c.PDFMaxBytes != 20<<20 || c.PDFMaxPages != 100 {
		t.Fatalf("unexpected defaults:\n%s", c)
	}
}

func TestLoadValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("Bot abc.def\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{
		"DISCORD_TOKEN_FILE":  tokenFile,
		"OPENAI_API_KEY":      "sk-test",
		"FETCH_MAX_BYTES":     "2MiB",
		"FETCH_TIMEOUT":       "3",
		"FETCH_ALLOW_PRIVATE": "true",
		"HTTP_ADDR":           "off",
		"LLM_BASE_URL":        "http://localhost:11434/v1/",
		"ARCHIVE_FALLBACK":    "false",
		"ARCHIVE_WAYBACK_URL": "off",
		"ARCHIVE_TODAY_URL":   "http://archive.internal/",
		"PDF_MAX_BYTES":       "50MiB",
		"PDF_MAX_PAGES":       "10",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ArchiveFallback || c.ArchiveWaybackURL != "" || c.ArchiveTodayURL != "http://archive.internal" || c.PDFMaxBytes != 50<<20 || c.PDFMaxPages != 10 {
		t.Errorf("archive and PDF settings: %+v", c)
	}
	if c.DiscordToken != "Bot abc.def" {
		t.Errorf("token = %q", c.DiscordToken)
	}
	if c.LLMAPIKey != "sk-test" || c.FetchMaxBytes != 2<<20 || c.FetchTimeout != 3*time.Second ||
		!c.FetchAllowPrivate || c.HTTPAddr != "" || c.LLMBaseURL != "http://localhost:11434/v1" {
		t.Errorf("unexpected config:\n%s", c)
	}
	if s := c.String(); strings.Contains(s, "abc.def") || strings.Contains(s, "sk-test") {
		t.Errorf("secrets not redacted:\n%s", s)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"FETCH_TIMEOUT": "soon"}, "FETCH_TIMEOUT"},
		{map[string]string{"FETCH_MAX_BYTES": "5 parsecs"}, "FETCH_MAX_BYTES"},
		{map[string]string{"FETCH_ALLOW_PRIVATE": "maybe"}, "FETCH_ALLOW_PRIVATE"},
		{map[string]string{"LLM_BASE_URL": "ftp://x"}, "LLM_BASE_URL"},
		{map[string]string{"QUOTA_USER_PER_HOUR": "-1"}, "QUOTA_USER_PER_HOUR"},
		{map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{map[string]string{"DISCORD_SHARD_ID": "2", "DISCORD_SHARD_COUNT": "2"}, "DISCORD_SHARD_ID"},
		{map[string]string{"LLM_API_KEY": "a", "LLM_API_KEY_FILE": "/x"}, "both set"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{map[string]string{"ARCHIVE_TODAY_URL": "archive.ph"}, "ARCHIVE_TODAY_URL"},
		{map[string]string{"ARCHIVE_FALLBACK": "sometimes"}, "ARCHIVE_FALLBACK"},
		{map[string]string{"PDF_MAX_PAGES": "0"}, "PDF_MAX_PAGES"},
	}
	for _, tt := range tests {
		_, err := Load(env(tt.env))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%v) error = %v, want mention of %s", tt.env, err, tt.want)
		}
	}
	// Every bad value is reported, not just the first.
	_, err := Load(env(map[string]string{"FETCH_TIMEOUT": "x", "WORKERS": "y"}))
	if err == nil || !strings.Contains(err.Error(), "FETCH_TIMEOUT") || !strings.Contains(err.Error(), "WORKERS") {
		t.Errorf("want both errors, got %v", err)
	}
}

func TestConfigFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "precis.env")
	body := "# comment\nLLM_MODEL=\"llama3.1\"\nexport WORKERS=7\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"PRECIS_CONFIG": path, "WORKERS": "2"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LLMModel != "llama3.1" || c.Workers != 2 {
		t.Errorf("model %q workers %d", c.LLMModel, c.Workers)
	}
}

func TestSettingsCoverConfig(t *testing.T) {
	t.Parallel()
	c, _ := Load(env(nil))
	printed := c.String()
	for _, s := range Settings {
		if s.Name == "PRECIS_CONFIG" {
			continue
		}
		if !strings.Contains(printed, s.Name+"=") {
			t.Errorf("setting %s is documented but not printed", s.Name)
		}
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://user:pw@host/v1", "https://user:[redacted]@host/v1"},
		{"postgres://u:p@h/db?password=x", "postgres://u:[redacted]@h/db?password=[redacted]"},
		{"postgres://h/db?sslmode=disable&Password=x&application_name=precis", "postgres://h/db?sslmode=disable&Password=[redacted]&application_name=precis"},
		{"https://tok123@api.example/v1", "https://[redacted]@api.example/v1"},
		{"https://s.example/f?sig=abc&se=2025&TOKEN=t&api_key=k&X-Amz-Signature=s&access_token=a&auth=b&secret=c&key=d", "https://s.example/f?sig=[redacted]&se=2025&TOKEN=[redacted]&api_key=[redacted]&X-Amz-Signature=[redacted]&access_token=[redacted]&auth=[redacted]&secret=[redacted]&key=[redacted]"},
		{"https://app.example/cb#access_token=abc&state=1", "https://app.example/cb#access_token=[redacted]&state=1"},
		{"host=db user=precis password=hunter2 dbname=precis", "host=db user=precis password=[redacted] dbname=precis"},
		{"sqlite:precis.db", "sqlite:precis.db"},
		{"https://discord.com/api/v9", "https://discord.com/api/v9"},
		{"http://localhost:11434/v1", "http://localhost:11434/v1"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestStringRedactsURLSecrets: `precis config` prints no secret carried in
// a URL.
func TestStringRedactsURLSecrets(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{
		"LLM_BASE_URL": "https://user:pw-llm-secret@host/v1",
		"DATABASE_URL": "postgres://u:pg-secret@h/db?password=query-secret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	for _, secret := range []string{"pw-llm-secret", "pg-secret", "query-secret"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s printed:\n%s", secret, s)
		}
	}
	for _, want := range []string{"LLM_BASE_URL=https://user:[redacted]@host/v1", "DATABASE_URL=postgres://u:[redacted]@h/db?password=[redacted]"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in:\n%s", want, s)
		}
	}
}

func TestConfigFileUnknownKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want []string // "" = no error
	}{
		{"LLM_MODEL=x\nOPENAI_API_KEY=k\nDISCORD_SHARD_COUNT=1\n", nil},
		{"LLM_MODLE=llama3.1\n", []string{"unknown setting LLM_MODLE", "did you mean LLM_MODEL?"}},
		{"llm_model=llama3.1\n", []string{"unknown setting llm_model", "did you mean LLM_MODEL?"}},
		{"DATABSE_URL=sqlite:x.db\nQUOTA_USER_HOUR=5\n", []string{"DATABSE_URL (did you mean DATABASE_URL?)", "QUOTA_USER_HOUR (did you mean QUOTA_USER_PER_HOUR?)"}},
		{"COMPLETELY_DIFFERENT=1\n", []string{"unknown setting COMPLETELY_DIFFERENT (see"}},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "precis.env")
		if err := os.WriteFile(path, []byte(tt.body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(env(map[string]string{"PRECIS_CONFIG": path}))
		if len(tt.want) == 0 {
			if err != nil {
				t.Errorf("%q: %v", tt.body, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q: no error", tt.body)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %q does not say %q", tt.body, err, w)
			}
		}
	}
}

func TestDatabaseURLErrorNamesBothSchemes(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"DATABASE_URL": "mysql://root:hunter2@db/precis"}))
	if err == nil {
		t.Fatal("mysql accepted")
	}
	for _, want := range []string{"DATABASE_URL", "sqlite:PATH", "postgres://"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error shows the password: %q", err)
	}
	for _, ok := range []string{"sqlite:precis.db", "postgres://u:p@h/db", "postgresql://h/db", "file:x.db"} {
		if _, err := Load(env(map[string]string{"DATABASE_URL": ok})); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}

func TestValidateServeTokenShape(t *testing.T) {
	t.Parallel()
	const real = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GfAkE0.abcdefghijklmnopqrstuvwxyz0123456789_-AB"
	tests := []struct {
		token string
		want  string // "" = accepted
	}{
		{real, ""},
		{"Bot " + real, ""},
		{"", "required"},
		{real[:20] + " " + real[20:], "spaces"},
		{"Bearer " + real, "spaces"},
		{"1100000000000000001", "application ID"},
		{strings.Repeat("a1b2", 16), "public key"},
		{"Ab1_cD2-eF3gH4iJ5kL6mN7oP8qR9sT0", "client secret"},
		{"not-a-token", "not shaped like a bot token"},
		{"abc.def.ghi", "too short"},
	}
	for _, tt := range tests {
		err := (&Config{DiscordToken: tt.token}).ValidateServe()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q refused: %v", tt.token, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one saying %q", tt.token, err, tt.want)
			continue
		}
		if tt.token != "" && (!strings.Contains(err.Error(), "Bot page") || !strings.Contains(err.Error(), "Reset Token")) {
			t.Errorf("%q: error %q does not point to the Bot page's Reset Token", tt.token, err)
		}
		if tt.token != "" && strings.Contains(err.Error(), tt.token) {
			t.Errorf("error repeats the token: %q", err)
		}
	}
}
