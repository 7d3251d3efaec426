package main

import "runtime/debug"

// buildVersion is set when linking: go build -ldflags "-X
// main.buildVersion=v1.2.3". The Dockerfile passes its VERSION build
// argument this way, as its build context has no .git for Go to read.
var buildVersion string

// version is buildVersion when set, else the module version when built
// from a tagged module, else the VCS revision Go recorded, else "dev".
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}
