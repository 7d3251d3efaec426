package summarize

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestObjectFields(t *testing.T) {
	o, err := ParseObject("Sure:\n```json\n" + `{"a":null,"b":"  ","c":["x","y"],"d":{"k":1},"e":"text"}` + "\n```")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		keys      []string
		wantFirst string // "" for nil
		wantText  string
	}{
		{"null skipped", []string{"a", "b"}, `"  "`, ""},
		{"blank text falls through", []string{"b", "e"}, `"  "`, "text"},
		{"list read as text", []string{"c"}, `["x","y"]`, "x y"},
		{"object is no text", []string{"d"}, `{"k":1}`, ""},
		{"missing", []string{"z"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(o.First(tt.keys...)); got != tt.wantFirst {
				t.Errorf("First(%q) = %s, want %s", tt.keys, got, tt.wantFirst)
			}
			if got := o.Text(tt.keys...); got != tt.wantText {
				t.Errorf("Text(%q) = %q, want %q", tt.keys, got, tt.wantText)
			}
		})
	}
}

func TestLooseList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{``, nil},
		{`[1, "a"]`, []string{`1`, `"a"`}},
		{`"a"`, []string{`"a"`}},
		{`{"k":1}`, []string{`{"k":1}`}},
	}
	for _, tt := range tests {
		var got []string
		for _, it := range LooseList(json.RawMessage(tt.in)) {
			got = append(got, string(it))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LooseList(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAsObject(t *testing.T) {
	for in, want := range map[string]bool{`{"k":1}`: true, `"s"`: false, `[1]`: false} {
		if _, ok := AsObject(json.RawMessage(in)); ok != want {
			t.Errorf("AsObject(%s) ok = %v, want %v", in, ok, want)
		}
	}
}
