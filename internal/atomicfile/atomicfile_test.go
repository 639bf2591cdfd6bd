package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/atomicfile"
)

func TestWriteReplacesOnSuccess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := atomicfile.Write(path, 0o640, func(w io.Writer) error {
		_, err := io.WriteString(w, "new,content\n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "new,content\n" {
		t.Fatalf("file = %q, %v", got, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640", fi.Mode().Perm())
	}
	assertOnlyFile(t, filepath.Dir(path), "out.csv")
}

func TestWriteFailureKeepsOldFileAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("connection dropped")
	err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old" {
		t.Fatalf("final file changed to %q", got)
	}
	assertOnlyFile(t, dir, "out.csv")
}

func TestWriteFailureCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	err := atomicfile.Write(filepath.Join(dir, "new.csv"), 0o600, func(io.Writer) error { return errors.New("x") })
	if err == nil {
		t.Fatal("want error")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("directory holds %d entries, want none", len(entries))
	}
}

func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v, want only %s", names, name)
	}
}

// The temporary file is written beside path, so the final rename stays on
// one file system and is atomic; a temporary file elsewhere (the system's
// temp directory) could fail to rename, or be copied non-atomically.
func TestWriteStagesTheTempFileBesidePath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	var staged []string
	err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			staged = append(staged, e.Name())
		}
		_, err = io.WriteString(w, "data\n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(staged) != 1 || !strings.HasPrefix(staged[0], ".out.csv.") || !strings.HasSuffix(staged[0], ".partial") {
		t.Fatalf("while writing, the directory held %q; want one .out.csv.*.partial file", staged)
	}
	assertOnlyFile(t, dir, "out.csv")
}

// A failure after write returned (here the sync: the file is closed under
// it, as a failing device would make it fail) must leave the old file in
// place: the rename comes last, after the data is synced and closed.
func TestWriteFailureAfterTheWriterKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		if _, err := io.WriteString(w, "new"); err != nil {
			return err
		}
		c, ok := w.(io.Closer)
		if !ok {
			t.Fatal("the writer is not the temporary file")
		}
		return c.Close() // the writer itself succeeded
	})
	if err == nil {
		t.Fatal("Write succeeded although the temporary file could not be synced")
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old" {
		t.Fatalf("final file changed to %q by a write that failed", got)
	}
	assertOnlyFile(t, dir, "out.csv")
}

// The temporary file is closed on every path, a failed write too: a
// long-running exporter that leaks a descriptor per failed download runs
// out of them.
func TestWriteClosesTheTempFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	var tmp io.Writer
	err := atomicfile.Write(filepath.Join(dir, "out.csv"), 0o600, func(w io.Writer) error {
		tmp = w
		return errors.New("connection dropped")
	})
	if err == nil {
		t.Fatal("want the writer's error")
	}
	if _, err := io.WriteString(tmp, "late"); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("writing to the temporary file after Write failed: %v, want os.ErrClosed (the file left open)", err)
	}
}

// A bare file name is relative to the working directory, and so is its
// temporary file: not the system's temp directory, which CreateTemp would
// pick for an empty directory.
func TestWriteBareNameStagesInTheWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var staged int
	err := atomicfile.Write("out.csv", 0o600, func(w io.Writer) error {
		entries, err := os.ReadDir(".")
		if err != nil {
			return err
		}
		staged = len(entries)
		_, err = io.WriteString(w, "data\n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if staged != 1 {
		t.Fatalf("while writing, the working directory held %d entries, want the temporary file", staged)
	}
	got, err := os.ReadFile(filepath.Join(dir, "out.csv"))
	if err != nil || string(got) != "data\n" {
		t.Fatalf("file = %q, %v", got, err)
	}
	assertOnlyFile(t, dir, "out.csv")
}
