package enterpriseadmin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// The members of the ingress configuration the vendor's documentation
// lists (the ingress resource's response properties).
const (
	ingressCipherSuites      = "cipherSuites"
	ingressHTTPSProtocols    = "httpsProtocols"
	ingressTLSSecretName     = "tlsSecretName"
	ingressTLSSecretManaged  = "isTlsSecretSystemManaged"
	ingressIdentityCertName  = "identityCertificateName"
	ingressUpdateConfigField = "ingressSecurityConfig"
)

var ingressKnown = []string{ingressCipherSuites, ingressHTTPSProtocols, ingressTLSSecretName, ingressTLSSecretManaged, ingressIdentityCertName}

// HTTPSProtocols are the TLS protocol names the ingress configuration's
// httpsProtocols takes, as the vendor's documentation lists them.
var HTTPSProtocols = []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

// IngressSecurity is the security configuration of the Ingress controller
// of an ArcGIS Enterprise on Kubernetes deployment (security/ingress). It
// encodes to and decodes from JSON in the server's form, Other included.
type IngressSecurity struct {
	// CipherSuites are the cipher suites in OpenSSL format, as the server
	// writes them (a list the server sends as a JSON array is joined with
	// commas here; the update keeps the server's own form unless you
	// change it).
	CipherSuites string `json:"cipherSuites"`
	// HTTPSProtocols is the comma-separated list of TLS protocols, e.g.
	// "TLSv1.2,TLSv1.3".
	HTTPSProtocols string `json:"httpsProtocols"`
	// TLSSecretName is a user-defined TLS secret in the deployment's
	// namespace holding the certificate the controller serves; required
	// when IsTLSSecretSystemManaged is false.
	TLSSecretName string `json:"tlsSecretName"`
	// IsTLSSecretSystemManaged is nil when the server does not say.
	IsTLSSecretSystemManaged *bool `json:"isTlsSecretSystemManaged"`
	// IdentityCertificateName is the name of the imported identity
	// certificate the controller serves.
	IdentityCertificateName string `json:"identityCertificateName"`
	// Other holds the members the documentation does not list, as the
	// server wrote them. UpdateIngressSecurity sends them back untouched.
	Other map[string]json.RawMessage `json:"-"`

	// raw is every member as the server wrote it: the base an update
	// merges the caller's changes into.
	raw map[string]json.RawMessage
}

// MarshalJSON writes the configuration in the server's form: every member
// as read (the server's own encoding of the documented ones when they
// were not changed in the struct), Other included.
func (s IngressSecurity) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.members())
}

// UnmarshalJSON reads a configuration in the server's form, keeping the
// members the documentation does not list in Other.
func (s *IngressSecurity) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		return fmt.Errorf("ingress configuration is null")
	}
	*s = ingressFromRaw(raw)
	return nil
}

// members is the configuration as one JSON object: what was read, with
// each documented field written over it where the struct no longer holds
// what the server wrote.
func (s IngressSecurity) members() map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(s.raw)+len(s.Other)+len(ingressKnown))
	maps.Copy(out, s.raw)
	maps.Copy(out, s.Other)
	read := ingressFromRaw(s.raw)
	setString := func(key, v, was string) {
		if _, present := s.raw[key]; !present && v == "" {
			return
		}
		if v != was {
			out[key] = mustJSON(v)
		}
	}
	setString(ingressCipherSuites, s.CipherSuites, read.CipherSuites)
	setString(ingressHTTPSProtocols, s.HTTPSProtocols, read.HTTPSProtocols)
	setString(ingressTLSSecretName, s.TLSSecretName, read.TLSSecretName)
	setString(ingressIdentityCertName, s.IdentityCertificateName, read.IdentityCertificateName)
	switch {
	case s.IsTLSSecretSystemManaged == nil:
		if _, present := s.raw[ingressTLSSecretManaged]; present && read.IsTLSSecretSystemManaged != nil {
			delete(out, ingressTLSSecretManaged)
		}
	case read.IsTLSSecretSystemManaged == nil || *read.IsTLSSecretSystemManaged != *s.IsTLSSecretSystemManaged:
		out[ingressTLSSecretManaged] = mustJSON(*s.IsTLSSecretSystemManaged)
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings and booleans always encode
	}
	return b
}

// ingressFromRaw reads the documented members leniently (a string, a list
// of strings, a boolean written as text) and keeps the rest in Other.
func ingressFromRaw(raw map[string]json.RawMessage) IngressSecurity {
	s := IngressSecurity{raw: raw}
	s.CipherSuites = listText(raw[ingressCipherSuites])
	s.HTTPSProtocols = listText(raw[ingressHTTPSProtocols])
	s.TLSSecretName = text(raw[ingressTLSSecretName])
	s.IdentityCertificateName = text(raw[ingressIdentityCertName])
	if v, ok := raw[ingressTLSSecretManaged]; ok {
		switch strings.ToLower(text(v)) {
		case "true":
			t := true
			s.IsTLSSecretSystemManaged = &t
		case "false":
			f := false
			s.IsTLSSecretSystemManaged = &f
		}
	}
	for k, v := range raw {
		if !slices.Contains(ingressKnown, k) {
			if s.Other == nil {
				s.Other = map[string]json.RawMessage{}
			}
			s.Other[k] = v
		}
	}
	return s
}

// listText reads a member that is a comma-separated string, or a JSON
// list of strings (joined with commas).
func listText(raw json.RawMessage) string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, ",")
	}
	return text(raw)
}

// GetIngressSecurity returns the security configuration of the Ingress
// controller (ArcGIS Enterprise on Kubernetes 10.9 and later): its TLS
// protocols, cipher suites and the identity certificate or TLS secret it
// serves. Members the documentation does not list are kept in Other.
func (c *Client) GetIngressSecurity(ctx context.Context, opts ...CallOption) (*IngressSecurity, error) {
	const op = "enterpriseadmin.GetIngressSecurity"
	f := enterpriseadminapi.GetIngressSecurityParamsF(jsonFormat)
	req, err := enterpriseadminapi.NewGetIngressSecurityRequest(c.server, c.webContext, &enterpriseadminapi.GetIngressSecurityParams{F: &f})
	var raw map[string]json.RawMessage
	if err := c.call(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: "the ingress configuration is null"}
	}
	s := ingressFromRaw(raw)
	return &s, nil
}

// UpdateIngressSecurityInput says what UpdateIngressSecurity changes: a nil
// field keeps the server's value.
type UpdateIngressSecurityInput struct {
	CipherSuites   *string
	HTTPSProtocols *string // comma-separated, each one of HTTPSProtocols
	TLSSecretName  *string
	// IsTLSSecretSystemManaged false needs a TLS secret name (given here
	// or already configured).
	IsTLSSecretSystemManaged *bool
	// IdentityCertificateName points the controller at an imported
	// identity certificate by its name.
	IdentityCertificateName *string
	// Other sets members the documentation does not list, each to the
	// given JSON value. It may not name a documented member.
	Other map[string]json.RawMessage
}

func (in UpdateIngressSecurityInput) empty() bool {
	return in.CipherSuites == nil && in.HTTPSProtocols == nil && in.TLSSecretName == nil &&
		in.IsTLSSecretSystemManaged == nil && in.IdentityCertificateName == nil && len(in.Other) == 0
}

// check refuses what the server would refuse or what would leave the
// controller without a certificate, before anything is read or sent.
func (in UpdateIngressSecurityInput) check(op string) error {
	if in.empty() {
		return apierror.Invalid(op, "nothing to change: every field of UpdateIngressSecurityInput is nil")
	}
	if in.IdentityCertificateName != nil && strings.TrimSpace(*in.IdentityCertificateName) == "" {
		return apierror.Invalid(op, "identity certificate name is empty")
	}
	if in.HTTPSProtocols != nil {
		for p := range strings.SplitSeq(*in.HTTPSProtocols, ",") {
			if !slices.Contains(HTTPSProtocols, strings.TrimSpace(p)) {
				return apierror.Invalid(op, "https protocol %q is not one of %s", strings.TrimSpace(p), strings.Join(HTTPSProtocols, ", "))
			}
		}
	}
	if in.CipherSuites != nil && strings.TrimSpace(*in.CipherSuites) == "" {
		return apierror.Invalid(op, "cipher suites are empty")
	}
	for k, v := range in.Other {
		if slices.Contains(ingressKnown, k) {
			return apierror.Invalid(op, "Other[%q] is a documented member: use its field", k)
		}
		if !json.Valid(v) {
			return apierror.Invalid(op, "Other[%q] is not a JSON value", k)
		}
	}
	return nil
}

// merge is cur with in's changes, as one JSON object, and whether it
// differs from what was read.
func (in UpdateIngressSecurityInput) merge(cur *IngressSecurity) (map[string]json.RawMessage, bool) {
	out := maps.Clone(cur.raw)
	if out == nil {
		out = map[string]json.RawMessage{}
	}
	set := func(key string, v any) {
		b := mustJSON(v)
		out[key] = b
	}
	if in.CipherSuites != nil {
		set(ingressCipherSuites, *in.CipherSuites)
	}
	if in.HTTPSProtocols != nil {
		set(ingressHTTPSProtocols, *in.HTTPSProtocols)
	}
	if in.TLSSecretName != nil {
		set(ingressTLSSecretName, *in.TLSSecretName)
	}
	if in.IsTLSSecretSystemManaged != nil {
		set(ingressTLSSecretManaged, *in.IsTLSSecretSystemManaged)
	}
	if in.IdentityCertificateName != nil {
		set(ingressIdentityCertName, *in.IdentityCertificateName)
	}
	maps.Copy(out, in.Other)
	changed := len(out) != len(cur.raw)
	for k, v := range out {
		if old, ok := cur.raw[k]; !ok || !sameJSON(old, v) {
			changed = true
		}
	}
	return out, changed
}

// sameJSON reports whether a and b are the same JSON value (ignoring
// layout and member order).
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// UpdateIngressSecurity changes the security configuration of the Ingress
// controller and returns the configuration it sent.
//
// The vendor's update takes the whole configuration as one JSON object
// and does not document whether members left out keep their value, so
// the method reads the configuration first, applies in's changes and
// sends every member, those it does not know included: what in leaves
// nil is sent back as read. When the changes leave the configuration as
// it is, nothing is sent. Another administrator's change between the read
// and the update is overwritten (the API offers no version check).
//
// Input the server would refuse is refused before anything is sent: an
// unknown protocol name, an empty certificate name, a system-unmanaged TLS
// secret without a secret name. The update is never repeated once it may
// have reached the server; on an error without the server's answer, read
// the configuration to learn whether it was applied.
func (c *Client) UpdateIngressSecurity(ctx context.Context, in UpdateIngressSecurityInput, opts ...CallOption) (*IngressSecurity, error) {
	const op = "enterpriseadmin.UpdateIngressSecurity"
	if err := in.check(op); err != nil {
		return nil, err
	}
	cur, err := c.GetIngressSecurity(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: read the configuration first: %w", op, err)
	}
	sent, _, err := c.updateIngress(ctx, op, cur, in, opts)
	return sent, err
}

// updateIngress merges in into cur (as read) and sends the result unless
// it equals cur; it reports whether it sent anything.
func (c *Client) updateIngress(ctx context.Context, op string, cur *IngressSecurity, in UpdateIngressSecurityInput, opts []CallOption) (*IngressSecurity, bool, error) {
	merged, changed := in.merge(cur)
	next := ingressFromRaw(merged)
	if next.IsTLSSecretSystemManaged != nil && !*next.IsTLSSecretSystemManaged && strings.TrimSpace(next.TLSSecretName) == "" {
		return nil, false, apierror.Invalid(op, "isTlsSecretSystemManaged false needs a TLS secret name (tlsSecretName)")
	}
	if !changed {
		return &next, false, nil
	}
	body, err := json.Marshal(merged)
	if err != nil {
		return nil, false, fmt.Errorf("%s: encode the configuration: %w", op, err)
	}
	var v form.Values
	v.Add(ingressUpdateConfigField, string(body))
	v.Add("f", jsonFormat)
	req, err := enterpriseadminapi.NewUpdateIngressSecurityRequestWithBody(c.server, c.webContext, form.ContentType, v.Reader())
	if err := c.call(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)},
		&enterpriseadminapi.StatusResponse{}); err != nil {
		return nil, false, err
	}
	return &next, true, nil
}
