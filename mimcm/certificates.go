package mimcm

import (
	"context"
	"encoding/json"
	"time"

	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// Certificate is a certificate CM keeps for a user, a profile or a smart
// card. The certificates of a profile or smart card carry only the first
// six fields; those of the user (ListUserCertificates) carry all of them.
type Certificate struct {
	IsKeyHistory bool `json:"IsKeyHistory"`
	// ArchivedOnCA: the key is archived on the CA.
	ArchivedOnCA bool `json:"ArchivedOnCa"`
	// CertificateType is the server's number (not published).
	CertificateType    int32  `json:"CertificateType"`
	TemplateCommonName string `json:"TemplateCommonName"`
	// SerialNumber and Thumbprint are upper-case hex, as the server writes them.
	SerialNumber string `json:"SerialNumber"`
	Thumbprint   string `json:"Thumbprint"`
	// NotBefore and NotAfter bound the validity; the server writes them
	// without a zone, read as UTC. Zero when the server does not send them.
	NotBefore time.Time `json:"NotBefore"`
	NotAfter  time.Time `json:"NotAfter"`
	// Issuer is the CA as CM names it ("host\\CA name").
	Issuer string `json:"Issuer"`
	// RequesterName is the account that requested the certificate.
	RequesterName string `json:"RequesterName"`
	// Status is the server's number (not published; 0 in every sample).
	Status int32 `json:"Status"`
}

// ExpiresWithin reports whether the certificate has a NotAfter and it
// falls before now+d.
func (c Certificate) ExpiresWithin(now time.Time, d time.Duration) bool {
	return !c.NotAfter.IsZero() && c.NotAfter.Before(now.Add(d))
}

func certificateFromWire(w mimcmapi.ClmCertificate) Certificate {
	return Certificate{
		IsKeyHistory: val(w.IsKeyHistory), ArchivedOnCA: val(w.ArchivedOnCa), CertificateType: val(w.CertificateType),
		TemplateCommonName: val(w.TemplateCommonName), SerialNumber: w.SerialNumber, Thumbprint: w.Thumbprint,
		NotBefore: val(w.NotBefore).Time, NotAfter: val(w.NotAfter).Time, Issuer: val(w.Issuer),
		RequesterName: val(w.RequesterName), Status: val(w.Status),
	}
}

func (c *Client) certificates(ctx context.Context, call transport.Call) ([]Certificate, error) {
	var out oneOrMany[mimcmapi.ClmCertificate]
	err := c.t.JSON(ctx, call, &out)
	if _, ok := noContent(err); ok {
		return []Certificate{}, nil
	}
	if err != nil {
		return nil, err
	}
	list := make([]Certificate, len(out))
	for i, w := range out {
		list[i] = certificateFromWire(w)
	}
	return list, nil
}

// ListUserCertificates returns the signed-in user's certificates; the
// server leaves retired ones out. None (204) is an empty list.
func (c *Client) ListUserCertificates(ctx context.Context, opts ...CallOption) ([]Certificate, error) {
	const op = "mimcm.ListUserCertificates"
	req, err := mimcmapi.NewListUserCertificatesRequest(c.server)
	var out oneOrMany[mimcmapi.UserCertificate]
	err = c.t.JSON(ctx, read(op, req, err, opts), &out)
	if _, ok := noContent(err); ok {
		return []Certificate{}, nil
	}
	if err != nil {
		return nil, err
	}
	list := make([]Certificate, len(out))
	for i, w := range out {
		list[i] = certificateFromWire(mimcmapi.ClmCertificate{
			IsKeyHistory: w.IsKeyHistory, ArchivedOnCa: w.ArchivedOnCa, CertificateType: w.CertificateType,
			TemplateCommonName: w.TemplateCommonName, SerialNumber: w.SerialNumber, Thumbprint: w.Thumbprint,
			NotBefore: &w.NotBefore, NotAfter: &w.NotAfter, Issuer: &w.Issuer, RequesterName: w.RequesterName, Status: w.Status,
		})
	}
	return list, nil
}

// UnmarshalJSON reads a certificate in the server's JSON form, as the
// client does (zone-less times as UTC).
func (c *Certificate) UnmarshalJSON(b []byte) error {
	var w mimcmapi.ClmCertificate
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = certificateFromWire(w)
	return nil
}
