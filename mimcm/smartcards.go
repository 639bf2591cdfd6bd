package mimcm

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// Smartcard is a smart card CM manages.
type Smartcard struct {
	UUID   uuid.UUID       `json:"Uuid"`
	Status SmartcardStatus `json:"Status"`
	// Flags are the server's option bits (not published).
	Flags int32 `json:"Flags"`
	// ParentSmartcardUUID is the card this one replaced; nil for none.
	ParentSmartcardUUID    *uuid.UUID `json:"ParentSmartcardUuid"`
	PrimarySmartcardUUID   *uuid.UUID `json:"PrimarySmartcardUuid"`
	PermanentSmartcardUUID *uuid.UUID `json:"PermanentSmartcardUuid"`
	AssignedUserUUID       *uuid.UUID `json:"AssignedUserUuid"`
	ProfileTemplateUUID    *uuid.UUID `json:"ProfileTemplateUuid"`
	ProfileTemplateVersion int32      `json:"ProfileTemplateVersion"`
	Comment                string     `json:"Comment"`
	// SerialNumber is the card's own ID, as the server writes it (the
	// samples put it in braces: "{bc88f13f-…}").
	SerialNumber string `json:"SerialNumber"`
	Middleware   string `json:"Middleware"`
	// ATR is the card's answer-to-reset, in hex.
	ATR string `json:"Atr"`
}

// CardID returns the card's own ID (the cardid the smart card calls
// take): its serial number without braces.
func (s Smartcard) CardID() string { return strings.Trim(s.SerialNumber, "{}") }

func smartcardFromWire(w mimcmapi.Smartcard) Smartcard {
	return Smartcard{
		UUID: w.Uuid, Status: SmartcardStatus(w.Status), Flags: val(w.Flags),
		ParentSmartcardUUID: optionalPtr(w.ParentSmartcardUuid), PrimarySmartcardUUID: optionalPtr(w.PrimarySmartcardUuid),
		PermanentSmartcardUUID: optionalPtr(w.PermanentSmartcardUuid), AssignedUserUUID: optionalPtr(w.AssignedUserUuid),
		ProfileTemplateUUID: optionalPtr(w.ProfileTemplateUuid), ProfileTemplateVersion: val(w.ProfileTemplateVersion),
		Comment: val(w.Comment), SerialNumber: val(w.SerialNumber), Middleware: val(w.Middleware), ATR: val(w.Atr),
	}
}

// SmartcardFilter selects the smart cards ListSmartcards returns; the zero
// value selects all of the signed-in user's cards.
type SmartcardFilter struct {
	// CardID keeps only the card with this card ID (the ID the card
	// reports, Smartcard.CardID, not its CM UUID).
	CardID string
}

// ListSmartcards returns the smart cards that match f. The server answers
// a single object for a card ID (the vendor's example); either form is
// read. None (204) is an empty list.
func (c *Client) ListSmartcards(ctx context.Context, f SmartcardFilter, opts ...CallOption) ([]Smartcard, error) {
	const op = "mimcm.ListSmartcards"
	var params mimcmapi.ListSmartcardsParams
	if f.CardID != "" {
		id := strings.TrimSpace(f.CardID)
		params.Cardid = &id
	}
	req, err := mimcmapi.NewListSmartcardsRequest(c.server, &params)
	var out oneOrMany[mimcmapi.Smartcard]
	err = c.t.JSON(ctx, read(op, req, err, opts), &out)
	if _, ok := noContent(err); ok {
		return []Smartcard{}, nil
	}
	if err != nil {
		return nil, err
	}
	list := make([]Smartcard, len(out))
	for i, w := range out {
		list[i] = smartcardFromWire(w)
	}
	return list, nil
}

// GetSmartcard returns one smart card by its CM UUID; 204 is an
// ErrNotFound error.
func (c *Client) GetSmartcard(ctx context.Context, id uuid.UUID, opts ...CallOption) (*Smartcard, error) {
	const op = "mimcm.GetSmartcard"
	if err := checkID(op, "smart card", id); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewGetSmartcardRequest(c.server, id)
	var out mimcmapi.Smartcard
	if err := notFound(c.t.JSON(ctx, read(op, req, err, opts), &out), "no smart card %s", id); err != nil {
		return nil, err
	}
	s := smartcardFromWire(out)
	return &s, nil
}

// AssignSmartcardInput binds a card to a request.
type AssignSmartcardInput struct {
	// RequestID is the request the card is for (required).
	RequestID uuid.UUID
	// CardID is the card's own ID (required).
	CardID string
	// ATR is the card's answer-to-reset in hex (optional).
	ATR string
}

// AssignSmartcard binds a smart card to a request, after which the
// request can only be executed with that card, and returns the CM UUID of
// the new smart card object (the server answers 201 with its URI; nil
// when it answers 204 without one). It is never sent twice.
func (c *Client) AssignSmartcard(ctx context.Context, in AssignSmartcardInput, opts ...CallOption) (*uuid.UUID, error) {
	const op = "mimcm.AssignSmartcard"
	if err := checkID(op, "request", in.RequestID); err != nil {
		return nil, err
	}
	if err := checkCard(op, in.CardID, in.ATR); err != nil {
		return nil, err
	}
	body := mimcmapi.AssignSmartcardBody{Requestid: in.RequestID.String(), Cardid: strings.TrimSpace(in.CardID)}
	if in.ATR != "" {
		body.Atr = &in.ATR
	}
	req, err := mimcmapi.NewAssignSmartcardRequest(c.server, body)
	var uri string
	err = c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err,
		OK: []int{http.StatusCreated, http.StatusOK}, Settings: callSettings(opts)}, &uri)
	if _, ok := noContent(err); ok {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	id, err := idFromURI(uri, "smartcards")
	if err != nil {
		return nil, errUnexpected(op, err)
	}
	return &id, nil
}

// checkCard checks a card ID (required) and an ATR (hex, optional).
func checkCard(op, cardID, atr string) error {
	if strings.TrimSpace(cardID) == "" {
		return apierror.Invalid(op, "the card ID is required")
	}
	if _, err := hex.DecodeString(atr); err != nil {
		return apierror.Invalid(op, "ATR %q is not hex", atr)
	}
	return nil
}

// RetireSmartcard sets a smart card's status to "Retired" through a
// request (PUT requests/{reqid}/smartcards/{scid}, the method of the
// vendor's example; its table says GET, which carries no status) and
// returns the card as the server answers it (nil for a 204). It is not
// repeated after it may have reached the server.
func (c *Client) RetireSmartcard(ctx context.Context, requestID, smartcardID uuid.UUID, opts ...CallOption) (*Smartcard, error) {
	return c.setSmartcardStatus(ctx, "mimcm.RetireSmartcard", requestID, smartcardID, "Retired", opts)
}

// SetSmartcardStatus sets a smart card's status through a request, by
// its name; RetireSmartcard is the one the vendor documents.
func (c *Client) SetSmartcardStatus(ctx context.Context, requestID, smartcardID uuid.UUID, status string, opts ...CallOption) (*Smartcard, error) {
	const op = "mimcm.SetSmartcardStatus"
	if strings.TrimSpace(status) == "" {
		return nil, apierror.Invalid(op, "the status is required (e.g. Retired)")
	}
	return c.setSmartcardStatus(ctx, op, requestID, smartcardID, status, opts)
}

func (c *Client) setSmartcardStatus(ctx context.Context, op string, requestID, smartcardID uuid.UUID, status string, opts []CallOption) (*Smartcard, error) {
	if err := checkID(op, "request", requestID); err != nil {
		return nil, err
	}
	if err := checkID(op, "smart card", smartcardID); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewSetSmartcardStatusRequest(c.server, requestID, smartcardID, mimcmapi.SetSmartcardStatusBody{Status: status})
	var out mimcmapi.Smartcard
	err = c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, OK: okStatus, Settings: callSettings(opts)}, &out)
	if _, ok := noContent(err); ok {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := smartcardFromWire(out)
	return &s, nil
}

// CardRef names a smart card in a request being executed: the request,
// the card's CM UUID and the card's own ID (and optionally its ATR).
type CardRef struct {
	RequestID   uuid.UUID
	SmartcardID uuid.UUID
	CardID      string
	ATR         string
}

func (r CardRef) check(op string) error {
	if err := checkID(op, "request", r.RequestID); err != nil {
		return err
	}
	if err := checkID(op, "smart card", r.SmartcardID); err != nil {
		return err
	}
	return checkCard(op, r.CardID, r.ATR)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// GetSmartcardDiversifiedKey returns the diversified admin key of a card
// (to be set on the card when the template's smart card configuration
// says so). The key is secret material: it is never logged.
func (c *Client) GetSmartcardDiversifiedKey(ctx context.Context, card CardRef, opts ...CallOption) ([]byte, error) {
	const op = "mimcm.GetSmartcardDiversifiedKey"
	if err := card.check(op); err != nil {
		return nil, err
	}
	params := mimcmapi.GetSmartcardDiversifiedKeyParams{Cardid: strings.TrimSpace(card.CardID), Atr: optional(card.ATR)}
	req, err := mimcmapi.NewGetSmartcardDiversifiedKeyRequest(c.server, card.RequestID, card.SmartcardID, &params)
	return c.blob(ctx, op, read(op, req, err, opts), "no diversified key for smart card %s", card.SmartcardID)
}

// blob reads an answer that is a base64 JSON string.
func (c *Client) blob(ctx context.Context, op string, call transport.Call, missing string, args ...any) ([]byte, error) {
	var s string
	if err := notFound(c.t.JSON(ctx, call, &s), missing, args...); err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errUnexpected(op, err)
	}
	return b, nil
}

// AuthenticationInput is a card's admin challenge to answer.
type AuthenticationInput struct {
	Card CardRef
	// Challenge is the card's challenge, as bytes (the walkthrough reads
	// it in hex from the card; it is sent in base64).
	Challenge []byte
	// Diversified says whether the card's admin key was already
	// diversified.
	Diversified bool
}

// GetSmartcardAuthenticationResponse returns the server's response to a
// card's admin challenge (base CSP challenge/response).
func (c *Client) GetSmartcardAuthenticationResponse(ctx context.Context, in AuthenticationInput, opts ...CallOption) ([]byte, error) {
	const op = "mimcm.GetSmartcardAuthenticationResponse"
	if err := in.Card.check(op); err != nil {
		return nil, err
	}
	if len(in.Challenge) == 0 {
		return nil, apierror.Invalid(op, "the challenge is empty")
	}
	diversified := "False" // how .NET writes a Boolean, as in the vendor's example
	if in.Diversified {
		diversified = "True"
	}
	params := mimcmapi.GetSmartcardAuthenticationResponseParams{
		Cardid: strings.TrimSpace(in.Card.CardID), Atr: optional(in.Card.ATR),
		Challenge: base64.StdEncoding.EncodeToString(in.Challenge), Diversified: diversified,
	}
	req, err := mimcmapi.NewGetSmartcardAuthenticationResponseRequest(c.server, in.Card.RequestID, in.Card.SmartcardID, &params)
	return c.blob(ctx, op, read(op, req, err, opts), "no authentication response for smart card %s", in.Card.SmartcardID)
}

// ProposedPINInput names the card whose server-proposed PIN is wanted.
type ProposedPINInput struct {
	SmartcardID uuid.UUID
	// CardID, ATR and Challenge are optional query parameters of the call.
	CardID    string
	ATR       string
	Challenge []byte
}

// GetSmartcardProposedPIN returns the PIN the server proposes for a card
// (GET smartcards/{id}/serverproposedpin, the path of the vendor's page).
// The server sets one only when the template's policy says so; otherwise
// (204) the error is ErrNotFound and the user chooses the PIN. The PIN is
// never logged.
func (c *Client) GetSmartcardProposedPIN(ctx context.Context, in ProposedPINInput, opts ...CallOption) (string, error) {
	const op = "mimcm.GetSmartcardProposedPIN"
	if err := checkID(op, "smart card", in.SmartcardID); err != nil {
		return "", err
	}
	if _, err := hex.DecodeString(in.ATR); err != nil {
		return "", apierror.Invalid(op, "ATR %q is not hex", in.ATR)
	}
	params := mimcmapi.GetSmartcardProposedPINParams{Cardid: optional(strings.TrimSpace(in.CardID)), Atr: optional(in.ATR)}
	if len(in.Challenge) > 0 {
		ch := base64.StdEncoding.EncodeToString(in.Challenge)
		params.Challenge = &ch
	}
	req, err := mimcmapi.NewGetSmartcardProposedPINRequest(c.server, in.SmartcardID, &params)
	var pin string
	if err := notFound(c.t.JSON(ctx, read(op, req, err, opts), &pin), "the server proposes no PIN for smart card %s", in.SmartcardID); err != nil {
		return "", err
	}
	return pin, nil
}

// ListSmartcardOperations returns the operations the signed-in user may
// start on a smart card ("renew", "unblock", "retire", …). None (204) is
// an empty list.
func (c *Client) ListSmartcardOperations(ctx context.Context, id uuid.UUID, opts ...CallOption) ([]Operation, error) {
	const op = "mimcm.ListSmartcardOperations"
	if err := checkID(op, "smart card", id); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewListSmartcardOperationsRequest(c.server, id)
	return c.operations(ctx, read(op, req, err, opts))
}

// ListSmartcardCertificates returns the certificates of a smart card.
// None (204) is an empty list.
func (c *Client) ListSmartcardCertificates(ctx context.Context, id uuid.UUID, opts ...CallOption) ([]Certificate, error) {
	const op = "mimcm.ListSmartcardCertificates"
	if err := checkID(op, "smart card", id); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewListSmartcardCertificatesRequest(c.server, id)
	return c.certificates(ctx, read(op, req, err, opts))
}

// UnmarshalJSON reads a smart card in the server's JSON form, as the
// client does (all-zero GUIDs become nil).
func (s *Smartcard) UnmarshalJSON(b []byte) error {
	var w mimcmapi.Smartcard
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = smartcardFromWire(w)
	return nil
}
