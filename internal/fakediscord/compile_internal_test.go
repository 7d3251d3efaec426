package fakediscord

import "testing"

// TestEveryRequestSchemaCompiles proves the validator understands the whole
// spec (OpenAPI 3.1 type arrays, $refs, formats), not just the routes
// Precis uses today.
func TestEveryRequestSchemaCompiles(t *testing.T) {
	t.Parallel()
	v, err := DefaultValidator()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for tmpl, methods := range v.ops {
		for method := range methods {
			if _, err := v.schema(method, tmpl); err != nil {
				t.Errorf("%s %s: %v", method, tmpl, err)
			}
			n++
		}
	}
	if n < 50 {
		t.Errorf("only %d operations with JSON bodies found", n)
	}
	t.Logf("%d request schemas compiled", n)
}
