package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunAgainstFake(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-username", "jdoe"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"UUID", "7b55ge1c-844f-11dc-a8a3-0242ac120002", "superadmin", "jdoe",
		"jdoe enabled=false after disable", "jdoe removed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr.String(), "in-process fake") || !strings.Contains(stderr.String(), "removing") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

func TestURLNeedsCertificates(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-url", "https://czertainly.example.com/api"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "-cert") {
		t.Errorf("err = %v", err)
	}
}
