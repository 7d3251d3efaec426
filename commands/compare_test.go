package commands

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/compare"
	"github.com/precisbot/precis/pipeline"
)

// fakeCompares records the comparisons asked for.
type fakeCompares struct {
	asked []compare.Request
	err   error
}

func (f *fakeCompares) Compare(_ context.Context, req compare.Request) (*compare.Comparison, error) {
	f.asked = append(f.asked, req)
	if f.err != nil {
		return nil, f.err
	}
	return &compare.Comparison{Articles: []compare.Article{{URL: req.URL}, {URL: "https://b.example/y"}}, Model: "m"}, nil
}

func TestCompare(t *testing.T) {
	t.Parallel()
	const canSend = PermSendMessages
	opts := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name        string
		req         Request
		err         error
		wantEph     bool
		wantError   string
		wantContent string
		wantOthers  []string
	}{
		{name: "public /compare", req: Request{Name: NameCompare, Permissions: canSend, Options: opts("url", "https://a.example/x")}},
		{name: "private /compare", req: Request{Name: NameCompare, Permissions: canSend, Options: opts("url", "https://a.example/x", "private", true)}, wantEph: true},
		{name: "member cannot post: private, saying why", req: Request{Name: NameCompare, Permissions: 1 << 10, Options: opts("url", "https://a.example/x")},
			wantEph: true, wantContent: "You can't send messages in this channel"},
		{name: "the button is private", req: Request{Name: NameCompareButton, Permissions: canSend, Options: opts("url", "https://a.example/x")}, wantEph: true},
		{name: "links given", req: Request{Name: NameCompare, Permissions: canSend, Options: opts("url", "https://a.example/x", "with", "see https://b.example/y and <https://c.example/z>")},
			wantOthers: []string{"https://b.example/y", "https://c.example/z"}},
		{name: "too many links given", req: Request{Name: NameCompare, Permissions: canSend, Options: opts("url", "https://a.example/x", "with", "https://b.example/1 https://b.example/2 https://b.example/3 https://b.example/4 https://b.example/5")},
			wantError: "at most 4 others"},
		{name: "no link", req: Request{Name: NameCompare, Permissions: canSend, Options: opts("url", " ")}, wantError: "Give me a link"},
		{name: "no coverage", req: Request{Name: NameCompare, Permissions: canSend, Options: opts("url", "https://a.example/x")}, err: compare.ErrNoCoverage,
			wantError: "I found no other coverage of this story"},
		{name: "quota", req: Request{Name: NameCompareButton, Permissions: canSend, Options: opts("url", "https://a.example/x")},
			err: &pipeline.QuotaError{Scope: "user", Limit: 5, RetryIn: 10 * time.Minute}, wantEph: true, wantError: "You've reached your limit"},
		{name: "failure", req: Request{Name: NameCompare, Permissions: canSend, Options: opts("url", "https://a.example/x")}, err: errors.New("boom"),
			wantError: "Something went wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeCompares{err: tt.err}
			h := New(Deps{Pipeline: &fakePipeline{}, Compares: f, FindLinks: article.FindLinks}, Limits{})
			if got := h.Ephemeral(tt.req); got != tt.wantEph {
				t.Errorf("Ephemeral = %v, want %v", got, tt.wantEph)
			}
			resp := h.Handle(context.Background(), tt.req, nil)
			if tt.wantError != "" {
				if !strings.Contains(resp.Error, tt.wantError) {
					t.Errorf("error %q, want %q", resp.Error, tt.wantError)
				}
				return
			}
			if resp.Error != "" || resp.Comparison == nil || resp.Ephemeral != tt.wantEph || !strings.Contains(resp.Content, tt.wantContent) {
				t.Fatalf("response %+v", resp)
			}
			got := f.asked[0]
			if got.URL != "https://a.example/x" || !slices.Equal(got.Others, tt.wantOthers) {
				t.Errorf("asked %+v", got)
			}
		})
	}
	t.Run("not available", func(t *testing.T) {
		t.Parallel()
		resp := New(Deps{Pipeline: &fakePipeline{}}, Limits{}).Handle(context.Background(), Request{Name: NameCompare, Options: opts("url", "https://a.example/x")}, nil)
		if resp.Error != "Comparisons are not available on this bot." {
			t.Errorf("error %q", resp.Error)
		}
	})
}
