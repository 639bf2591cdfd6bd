// Command fixsurface names the client package in a fake's generated
// surface by its package name. gensurface takes the package name from the
// last element of the import path, which for the staging directory
// czertainly2 is not the package's name (czertainly). Once the package
// lives at czertainly/ this step changes nothing and can go.
//
//	//go:generate go run ../internal/fixsurface -file surface.gen.go -path github.com/certadmin/certadmin-go/czertainly2 -name czertainly
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"path"
)

func main() {
	file := flag.String("file", "surface.gen.go", "generated file to fix")
	imp := flag.String("path", "", "import path of the client package")
	name := flag.String("name", "", "its package name")
	flag.Parse()
	if *imp == "" || *name == "" {
		fmt.Fprintln(os.Stderr, "fixsurface: -path and -name are required")
		os.Exit(2)
	}
	src, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixsurface:", err)
		os.Exit(1)
	}
	last := path.Base(*imp)
	if last != *name {
		src = bytes.ReplaceAll(src, []byte(`"`+*imp+`"`), []byte(*name+` "`+*imp+`"`))
		src = bytes.ReplaceAll(src, []byte(last+"."), []byte(*name+"."))
	}
	out, err := format.Source(src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixsurface:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*file, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "fixsurface:", err)
		os.Exit(1)
	}
}
