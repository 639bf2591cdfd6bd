package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/internal/atomicfile"
)

// pfxPasswordEnv holds the password of the -pfx file: secrets never come
// from flags.
const pfxPasswordEnv = "ARCGIS_PFX_PASSWORD"

// rotation is the -rotate mode's input, read before anything is sent.
type rotation struct {
	in enterpriseadmin.RotateIdentityCertificateInput
}

func readRotation(o *options, getenv func(string) string) (*rotation, error) {
	password := getenv(pfxPasswordEnv)
	if password == "" {
		return nil, usagef("-rotate needs the password of %s in %s", o.pfx, pfxPasswordEnv)
	}
	pfx, err := os.ReadFile(o.pfx)
	if err != nil {
		return nil, usagef("-pfx: %v", err)
	}
	return &rotation{in: enterpriseadmin.RotateIdentityCertificateInput{
		Name: o.rotate, PFX: pfx, Password: password, DeleteOld: o.deleteOld, OldName: o.oldName,
	}}, nil
}

// rotationReport is what a completed rotation prints (-json: as JSON).
type rotationReport struct {
	Certificate *enterpriseadmin.Certificate `json:"certificate"`
	Imported    bool                         `json:"imported"`
	Pointed     bool                         `json:"pointed"`
	OldName     string                       `json:"oldName,omitempty"`
	OldDeleted  bool                         `json:"oldDeleted"`
	Serving     string                       `json:"serving"`
}

func (r *rotation) run(ctx context.Context, c *enterpriseadmin.Client, o *options, stdout io.Writer, progress func(string, ...any)) error {
	progress("rotating the ingress's certificate to %q", r.in.Name)
	last := enterpriseadmin.RotationStage(0)
	res, err := c.RotateIdentityCertificate(ctx, r.in,
		enterpriseadmin.WithWaitTimeout(o.wait),
		enterpriseadmin.WithProgress(func(p enterpriseadmin.Progress) {
			if p.Stage != last {
				last = p.Stage
				progress("  %s", p.Stage)
			}
		}))
	if err != nil {
		var re *enterpriseadmin.RotationError
		if errors.As(err, &re) && ctx.Err() == nil {
			// Say plainly what the server holds and how to go on.
			serving := re.Serving
			if serving == "" {
				serving = "(not read)"
			}
			progress("rotation stopped while %s; the ingress names %s", re.Stage, serving)
			if re.Next != "" {
				progress("next: %s", re.Next)
			}
		}
		return err
	}
	rep := rotationReport{Certificate: res.Certificate, Imported: res.Imported, Pointed: res.Pointed,
		OldName: res.OldName, OldDeleted: res.OldDeleted, Serving: res.Ingress.IdentityCertificateName}
	var text string
	if o.jsonOut {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		text = string(b) + "\n"
	} else {
		var b strings.Builder
		fmt.Fprintf(&b, "the ingress serves %s (%s)\n", rep.Serving, res.Certificate.ID)
		fmt.Fprintf(&b, "  sha256:      %s\n", res.Certificate.SHA256Fingerprint)
		fmt.Fprintf(&b, "  imported:    %t\n", rep.Imported)
		fmt.Fprintf(&b, "  pointed:     %t\n", rep.Pointed)
		switch {
		case rep.OldName == "":
		case rep.OldDeleted:
			fmt.Fprintf(&b, "  old:         %s, deleted\n", rep.OldName)
		case o.deleteOld:
			fmt.Fprintf(&b, "  old:         %s, already gone\n", rep.OldName)
		default:
			fmt.Fprintf(&b, "  old:         %s, kept\n", rep.OldName)
		}
		text = b.String()
	}
	if o.output != "" {
		if err := atomicfile.Write(o.output, 0o644, func(w io.Writer) error {
			_, err := io.WriteString(w, text)
			return err
		}); err != nil {
			return fmt.Errorf("write %s: %w", o.output, err)
		}
		progress("wrote %s", o.output)
		return nil
	}
	_, err = io.WriteString(stdout, text)
	return err
}
