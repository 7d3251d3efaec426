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
