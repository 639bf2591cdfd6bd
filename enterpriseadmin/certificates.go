package enterpriseadmin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/certutil"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// CertificateType says which store a certificate belongs to.
type CertificateType string

// The certificate stores.
const (
	Identity CertificateType = "IDENTITY"
	Trust    CertificateType = "TRUST"
)

// Certificate is one identity or trust certificate as the server describes it.
type Certificate struct {
	ID   string
	Name string
	Type CertificateType

	Subject                 string
	Issuer                  string
	SubjectAlternativeNames []string
	SerialNumber            string // hexadecimal, as the server writes it
	KeyAlgorithm            string
	KeySize                 int
	SignatureAlgorithm      string
	KeyUsage                []string
	Version                 int

	SHA1Fingerprint   string
	SHA256Fingerprint string
	MD5Fingerprint    string

	// ValidFrom and ValidUntil come from the epoch-millisecond fields, or
	// from the text fields when those are missing.
	ValidFrom  time.Time
	ValidUntil time.Time
	// ValidFromText and ValidUntilText are the server's text, e.g.
	// "Wed Apr 07 10:32:43 UTC 2021" (Java Date.toString()).
	ValidFromText  string
	ValidUntilText string
}

// ExpiresIn is how long from now until the certificate expires (negative
// once it has).
func (c *Certificate) ExpiresIn(now time.Time) time.Duration { return c.ValidUntil.Sub(now) }

// DaysToExpiry is ExpiresIn in whole days, rounded down.
func (c *Certificate) DaysToExpiry(now time.Time) int {
	return int(c.ExpiresIn(now).Hours() / 24)
}

// javaDateLayout is the text form of java.util.Date.toString().
const javaDateLayout = "Mon Jan 02 15:04:05 MST 2006"

// certificateTime prefers the epoch field and parses the text as a fallback.
func certificateTime(epochMS *int64, text string) time.Time {
	if epochMS != nil && *epochMS != 0 {
		return time.UnixMilli(*epochMS).UTC()
	}
	t, err := time.Parse(javaDateLayout, text)
	if err != nil {
		return time.Time{}
	}
	// time.Parse gives a "GMT+3" or "GMT-10" zone its offset but reads the
	// clock time as UTC, so the instant is off by that offset: rebuild it
	// from the clock time as written, in that zone.
	if name, offset := t.Zone(); offset != 0 && strings.HasPrefix(name, "GMT") && t.Location().String() == name {
		u := t.UTC()
		t = time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), u.Nanosecond(), t.Location())
	}
	return t
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func fromAPI(a enterpriseadminapi.Certificate) Certificate {
	c := Certificate{
		ID:                      deref(a.Id),
		Name:                    deref(a.Name),
		Type:                    CertificateType(deref(a.Type)),
		Subject:                 deref(a.Subject),
		Issuer:                  deref(a.Issuer),
		SubjectAlternativeNames: deref(a.SubjectAlternativeNames),
		SerialNumber:            deref(a.SerialNumber),
		KeyAlgorithm:            deref(a.KeyAlgorithm),
		KeySize:                 deref(a.KeySize),
		SignatureAlgorithm:      deref(a.SignatureAlgorithm),
		KeyUsage:                deref(a.KeyUsage),
		Version:                 deref(a.Version),
		SHA1Fingerprint:         deref(a.Sha1Fingerprint),
		SHA256Fingerprint:       deref(a.Sha256Fingerprint),
		MD5Fingerprint:          deref(a.Md5Fingerprint),
		ValidFromText:           deref(a.ValidFrom),
		ValidUntilText:          deref(a.ValidUntil),
	}
	c.ValidFrom = certificateTime(a.ValidFromAsEpoch, c.ValidFromText)
	c.ValidUntil = certificateTime(a.ValidUntilAsEpoch, c.ValidUntilText)
	return c
}

const jsonFormat = "json"

// CertificateResources returns the certificates resource (the root of the
// identity and trust stores) as the server describes it.
func (c *Client) CertificateResources(ctx context.Context) (map[string]any, error) {
	const op = "enterpriseadmin.CertificateResources"
	f := enterpriseadminapi.GetCertificatesParamsF(jsonFormat)
	out := map[string]any{}
	err := c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.raw.GetCertificates(ctx, c.context, &enterpriseadminapi.GetCertificatesParams{F: &f})
	}, &out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListIdentityCertificates returns the organization's identity certificates.
func (c *Client) ListIdentityCertificates(ctx context.Context) ([]Certificate, error) {
	f := enterpriseadminapi.ListIdentityCertificatesParamsF(jsonFormat)
	return c.list(ctx, "enterpriseadmin.ListIdentityCertificates", func(ctx context.Context) (*http.Response, error) {
		return c.raw.ListIdentityCertificates(ctx, c.context, &enterpriseadminapi.ListIdentityCertificatesParams{F: &f})
	})
}

// ListTrustCertificates returns the organization's trust certificates.
func (c *Client) ListTrustCertificates(ctx context.Context) ([]Certificate, error) {
	f := enterpriseadminapi.ListTrustCertificatesParamsF(jsonFormat)
	return c.list(ctx, "enterpriseadmin.ListTrustCertificates", func(ctx context.Context) (*http.Response, error) {
		return c.raw.ListTrustCertificates(ctx, c.context, &enterpriseadminapi.ListTrustCertificatesParams{F: &f})
	})
}

func (c *Client) list(ctx context.Context, op string, send func(context.Context) (*http.Response, error)) ([]Certificate, error) {
	var out enterpriseadminapi.CertificateList
	if err := c.call(ctx, op, send, &out); err != nil {
		return nil, err
	}
	certs := make([]Certificate, 0, len(deref(out.Certificates)))
	for _, a := range deref(out.Certificates) {
		certs = append(certs, fromAPI(a))
	}
	return certs, nil
}

// GetIdentityCertificate returns one identity certificate by id.
func (c *Client) GetIdentityCertificate(ctx context.Context, id string) (*Certificate, error) {
	const op = "enterpriseadmin.GetIdentityCertificate"
	f := enterpriseadminapi.GetIdentityCertificateParamsF(jsonFormat)
	return c.get(ctx, op, id, func(ctx context.Context) (*http.Response, error) {
		return c.raw.GetIdentityCertificate(ctx, c.context, id, &enterpriseadminapi.GetIdentityCertificateParams{F: &f})
	})
}

// GetTrustCertificate returns one trust certificate by id.
func (c *Client) GetTrustCertificate(ctx context.Context, id string) (*Certificate, error) {
	const op = "enterpriseadmin.GetTrustCertificate"
	f := enterpriseadminapi.GetTrustCertificateParamsF(jsonFormat)
	return c.get(ctx, op, id, func(ctx context.Context) (*http.Response, error) {
		return c.raw.GetTrustCertificate(ctx, c.context, id, &enterpriseadminapi.GetTrustCertificateParams{F: &f})
	})
}

func (c *Client) get(ctx context.Context, op, id string, send func(context.Context) (*http.Response, error)) (*Certificate, error) {
	if err := checkID(op, id); err != nil {
		return nil, err
	}
	var out enterpriseadminapi.Certificate
	if err := c.call(ctx, op, send, &out); err != nil {
		return nil, err
	}
	cert := fromAPI(out)
	return &cert, nil
}

// checkID rejects ids that would change the request path.
func checkID(op, id string) error {
	if strings.TrimSpace(id) == "" {
		return apierror.Invalid(op, "certificate id is empty")
	}
	if strings.ContainsAny(id, "/?#\\") || id == "." || id == ".." {
		return apierror.Invalid(op, "certificate id %q contains a path character", id)
	}
	return nil
}

// DeleteIdentityCertificate deletes an identity certificate. It is sent
// once: a delete that may have reached the server is not repeated.
func (c *Client) DeleteIdentityCertificate(ctx context.Context, id string) error {
	const op = "enterpriseadmin.DeleteIdentityCertificate"
	return c.delete(ctx, op, id, func(ctx context.Context, ct string, body *strings.Reader) (*http.Response, error) {
		return c.raw.DeleteIdentityCertificateWithBody(ctx, c.context, id, ct, body)
	})
}

// DeleteTrustCertificate deletes a trust certificate. It is sent once.
func (c *Client) DeleteTrustCertificate(ctx context.Context, id string) error {
	const op = "enterpriseadmin.DeleteTrustCertificate"
	return c.delete(ctx, op, id, func(ctx context.Context, ct string, body *strings.Reader) (*http.Response, error) {
		return c.raw.DeleteTrustCertificateWithBody(ctx, c.context, id, ct, body)
	})
}

func (c *Client) delete(ctx context.Context, op, id string, send func(context.Context, string, *strings.Reader) (*http.Response, error)) error {
	if err := checkID(op, id); err != nil {
		return err
	}
	return c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		var v form.Values
		v.Add("f", jsonFormat)
		return send(ctx, form.ContentType, v.Reader())
	}, nil)
}

// ImportIdentityCertificate imports a PKCS#12 (.pfx) file holding one key
// and its certificate under name. The file is opened locally first, so a
// wrong password or a PEM file fails before anything is sent. It is sent once.
func (c *Client) ImportIdentityCertificate(ctx context.Context, name string, pfx []byte, password string) error {
	const op = "enterpriseadmin.ImportIdentityCertificate"
	if strings.TrimSpace(name) == "" {
		return apierror.Invalid(op, "certificate name is empty")
	}
	if _, err := certutil.CheckPKCS12(pfx, password); err != nil {
		return &Error{Op: op, Kind: apierror.ErrInvalidInput, Message: "certificate file", Err: err}
	}
	return c.upload(transport.WithSecrets(ctx, password), op, []field{
		{name: "certificateName", value: name},
		{name: "certificatePassword", value: password},
		{name: "certificatePfxFile", file: name + ".pfx", data: pfx},
	}, c.raw.ImportIdentityCertificateWithBody)
}

// ImportTrustCertificate imports a CA certificate (PEM or DER) into the
// trust store under name. The server restarts the pods that use it, so
// the certificate may take a while to be in effect. It is sent once.
func (c *Client) ImportTrustCertificate(ctx context.Context, name string, cert []byte) error {
	const op = "enterpriseadmin.ImportTrustCertificate"
	if strings.TrimSpace(name) == "" {
		return apierror.Invalid(op, "certificate name is empty")
	}
	if _, err := certutil.ParseCertificate(cert); err != nil {
		return &Error{Op: op, Kind: apierror.ErrInvalidInput, Message: "certificate file", Err: err}
	}
	ext := ".der"
	if bytes.HasPrefix(bytes.TrimSpace(cert), []byte("-----BEGIN")) {
		ext = ".cer"
	}
	return c.upload(ctx, op, []field{
		{name: "certificateName", value: name},
		{name: "certificateFile", file: name + ext, data: cert},
	}, c.raw.ImportTrustCertificateWithBody)
}

// field is one multipart part: a value, or a file when file is set.
type field struct {
	name, value string
	file        string
	data        []byte
}

type uploadFunc func(ctx context.Context, context enterpriseadminapi.Context, contentType string, body io.Reader, reqEditors ...enterpriseadminapi.RequestEditorFn) (*http.Response, error)

func (c *Client) upload(ctx context.Context, op string, fields []field, send uploadFunc) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range append(fields, field{name: "f", value: jsonFormat}) {
		var err error
		if f.file != "" {
			var w io.Writer
			if w, err = mw.CreateFormFile(f.name, f.file); err == nil {
				_, err = w.Write(f.data)
			}
		} else {
			err = mw.WriteField(f.name, f.value)
		}
		if err != nil {
			return fmt.Errorf("%s: encode %s: %w", op, f.name, err)
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("%s: encode body: %w", op, err)
	}
	body := buf.Bytes()
	return c.call(transport.NotIdempotent(ctx), op, func(ctx context.Context) (*http.Response, error) {
		return send(ctx, c.context, mw.FormDataContentType(), bytes.NewReader(body))
	}, nil)
}
