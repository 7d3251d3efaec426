package main

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHealthcheckWithHTTPOff: the image's HEALTHCHECK runs `precis
// healthcheck`; with HTTP_ADDR=off there is nothing to ask, and the
// container must not be marked unhealthy for ever.
func TestHealthcheckWithHTTPOff(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cli(t, map[string]string{"HTTP_ADDR": "off"}, "", "healthcheck")
	if code != 0 || !strings.Contains(stdout, "HTTP_ADDR is off") || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// With the endpoint on but nothing listening, it still fails.
	code, _, stderr = cli(t, map[string]string{"HTTP_ADDR": closedAddr(t)}, "", "healthcheck")
	if code != exitError || !strings.Contains(stderr, "health check") {
		t.Errorf("nothing listening: exit %d, stderr %q", code, stderr)
	}
}

// TestDockerfileContract keeps the Dockerfile's promises, which the README
// repeats: the health check is precis's own, the image runs as uid 65532
// with /data a volume, and the version comes from a build argument through
// the variable version() reads.
func TestDockerfileContract(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	const ldflag = "-X main.buildVersion=${VERSION}"
	for _, want := range []string{
		`HEALTHCHECK --interval=30s --timeout=6s --start-period=20s CMD ["/precis", "healthcheck"]`,
		"ARG VERSION=dev", ldflag, "USER nonroot:nonroot", "--chown=65532:65532 /out/data /data", "VOLUME /data",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile does not have %q", want)
		}
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	// The same flag, with a value, sets what `precis version` prints.
	bin := filepath.Join(t.TempDir(), "precis")
	flag := strings.ReplaceAll(ldflag, "${VERSION}", "v1.2.3-test")
	if out, err := exec.Command("go", "build", "-ldflags", flag, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "precis v1.2.3-test" {
		t.Errorf("version = %q, %v", out, err)
	}
}

// TestOpenHint: SQLite's bare "unable to open database file" gets the fix
// for a folder the process may not write to.
func TestOpenHint(t *testing.T) {
	t.Parallel()
	if h := openHint(errors.New("open database /data/precis.db: unable to open database file (14)")); !strings.Contains(h, "chown 65532:65532") || !strings.Contains(h, "--user") {
		t.Errorf("hint = %q", h)
	}
	if h := openHint(errors.New("database is locked")); h != "" {
		t.Errorf("hint for another error: %q", h)
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
