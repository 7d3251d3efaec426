package lazyre

import (
	"sync"
	"testing"
)

func TestNew(t *testing.T) {
	t.Parallel()
	re := New(`a+b`)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !re().MatchString("xaab") {
				t.Error("a+b did not match xaab")
			}
		}()
	}
	wg.Wait()
	if first, again := re(), re(); first != again {
		t.Error("compiled twice")
	}
}

func TestNewPanicsOnFirstUse(t *testing.T) {
	t.Parallel()
	re := New(`(`) // no panic yet
	defer func() {
		if recover() == nil {
			t.Error("invalid expression did not panic")
		}
	}()
	re()
}
