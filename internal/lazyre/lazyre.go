// Package lazyre compiles regular expressions on first use rather than at
// package init, so that starting the binary (`precis version`, a CLI run)
// does not pay for the patterns of every package it links.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr on its first call, panicking
// like regexp.MustCompile if it is invalid, and returns the same compiled
// expression on every call. It is safe for concurrent use.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
