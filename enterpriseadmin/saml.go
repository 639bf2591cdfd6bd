package enterpriseadmin

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// SAMLSecurity is the organization's SAML configuration (security/saml,
// ArcGIS Enterprise on Kubernetes 10.9 and later). It matters to
// certificates because SAML signs with an imported identity certificate:
// one SAML names must not be deleted.
type SAMLSecurity struct {
	// Enabled is true when SAML is configured.
	Enabled bool
	// IdentityCertificateName is the imported identity certificate SAML
	// uses (the vendor's documentation says it must be named "samlcert").
	IdentityCertificateName string
	// Other holds the members the documentation does not list, as read.
	Other map[string]json.RawMessage
}

// GetSAMLSecurity returns the organization's SAML configuration, read
// leniently (enabled as a boolean or as text; members the documentation
// does not list kept in Other).
func (c *Client) GetSAMLSecurity(ctx context.Context, opts ...CallOption) (*SAMLSecurity, error) {
	const op = "enterpriseadmin.GetSAMLSecurity"
	f := enterpriseadminapi.GetSAMLSecurityParamsF(jsonFormat)
	req, err := enterpriseadminapi.NewGetSAMLSecurityRequest(c.server, c.webContext, &enterpriseadminapi.GetSAMLSecurityParams{F: &f})
	var raw map[string]json.RawMessage
	if err := c.call(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: "the SAML configuration is null"}
	}
	s := &SAMLSecurity{
		Enabled:                 strings.EqualFold(text(raw["enabled"]), "true"),
		IdentityCertificateName: text(raw["identityCertificateName"]),
	}
	for k, v := range raw {
		if k != "enabled" && k != "identityCertificateName" {
			if s.Other == nil {
				s.Other = map[string]json.RawMessage{}
			}
			s.Other[k] = v
		}
	}
	return s, nil
}
