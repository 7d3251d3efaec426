package main

import (
	"os"
	"strings"
	"testing"

	"github.com/precisbot/precis/config"
)

// TestREADMEDocumentsEverySetting keeps the README's settings table in step
// with the settings the program reads.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings {
		if !strings.Contains(string(readme), "`"+s.Name+"`") {
			t.Errorf("README.md does not document %s", s.Name)
		}
	}
}
