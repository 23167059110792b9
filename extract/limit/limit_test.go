package limit

import (
	"errors"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	if data, err := ReadAll(strings.NewReader("12345"), 5); err != nil || string(data) != "12345" {
		t.Errorf("exact size: %q %v", data, err)
	}
	if _, err := ReadAll(strings.NewReader("123456"), 5); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over size: %v", err)
	}
}

func TestWithDefaults(t *testing.T) {
	l := Limits{MaxFiles: 10, MaxDepth: -1}.WithDefaults()
	if l.MaxFiles != 10 || l.MaxDepth < 1<<40 || l.MaxFileBytes != Default().MaxFileBytes {
		t.Errorf("%+v", l)
	}
	if err := Count(3, 2, "things"); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 2 things") {
		t.Errorf("Count: %v", err)
	}
}
