package mimcm_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// listCall is one list of the package, and the path its answer comes from.
type listCall struct {
	name, path string
	run        func(ctx context.Context, c *mimcm.Client) (int, error)
}

func listCalls() []listCall {
	n := func(l int, err error) (int, error) { return l, err }
	return []listCall{
		{"ListRequests", "/requests", func(ctx context.Context, c *mimcm.Client) (int, error) {
			l, err := c.ListRequests(ctx, mimcm.RequestFilter{})
			return n(len(l), err)
		}},
		{"ListProfiles", "/profiles", func(ctx context.Context, c *mimcm.Client) (int, error) {
			l, err := c.ListProfiles(ctx, mimcm.ProfileFilter{})
			return n(len(l), err)
		}},
		{"ListSmartcards", "/smartcards", func(ctx context.Context, c *mimcm.Client) (int, error) {
			l, err := c.ListSmartcards(ctx, mimcm.SmartcardFilter{})
			return n(len(l), err)
		}},
		{"ListUserCertificates", "/api/v1.0/certificates", func(ctx context.Context, c *mimcm.Client) (int, error) {
			l, err := c.ListUserCertificates(ctx)
			return n(len(l), err)
		}},
		{"ListProfileTemplates", "/profiletemplates", func(ctx context.Context, c *mimcm.Client) (int, error) {
			l, err := c.ListProfileTemplates(ctx)
			return n(len(l), err)
		}},
		{"Inventory", "/api/v1.0/certificates", func(ctx context.Context, c *mimcm.Client) (int, error) {
			items := 0
			for _, err := range c.Inventory(ctx) {
				if err != nil {
					return items, err
				}
				items++
			}
			return items, nil
		}},
	}
}

// The error body ASP.NET Web API writes (an object with Message, and with
// the exception's members when error details are on) sent with status 200,
// as a proxy or a handler that swallows the status may: the list is an
// ErrVendor error carrying the server's message, not a list of one empty
// item. Failed before the client gave the transport an ErrorInBody rule:
// every list below returned one item and no error.
func TestListsRefuseTheErrorBodyInA200(t *testing.T) {
	bodies := []string{
		`{"Message":"An error has occurred."}`,
		`{"Message":"An error has occurred.","ExceptionMessage":"Access is denied.","ExceptionType":"System.UnauthorizedAccessException","StackTrace":null}`,
		`{"message":"The request is invalid.","modelState":{"status":["bad value"]}}`,
	}
	for _, lc := range listCalls() {
		t.Run(lc.name, func(t *testing.T) {
			srv, c := setup(t)
			ctx := context.Background()
			for _, body := range bodies {
				srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: lc.path, Status: http.StatusOK, ContentType: "application/json", Body: body})
				n, err := lc.run(ctx, c)
				if !errors.Is(err, mimcm.ErrVendor) {
					t.Errorf("%s: %d items, error %v; want ErrVendor", body, n, err)
					continue
				}
				var e *mimcm.Error
				if !errors.As(err, &e) || !strings.Contains(e.Message, "The request is invalid.") && !strings.Contains(e.Message, "An error has occurred.") {
					t.Errorf("%s: the error does not carry the server's message: %#v", body, err)
				}
			}
		})
	}
}

// The lists accept a lone object for a list of one (the smart card
// page's sample answers an object), but only an object that is an item:
// one without the item's identifying member is not an answer to read as a
// list (ErrUnexpectedResponse). Failed before: {} and an object of other
// members were read as a list of one item with a zero UUID.
func TestALoneObjectMustBeAnItem(t *testing.T) {
	for _, lc := range listCalls() {
		if lc.name == "Inventory" {
			continue
		}
		t.Run(lc.name, func(t *testing.T) {
			srv, c := setup(t)
			ctx := context.Background()
			for _, body := range []string{`{}`, `{"Result":"none"}`, `{"Status":2,"Flags":1}`} {
				srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: lc.path, Status: http.StatusOK, ContentType: "application/json", Body: body})
				if n, err := lc.run(ctx, c); !errors.Is(err, mimcm.ErrUnexpectedResponse) {
					t.Errorf("%s: %d items, error %v; want ErrUnexpectedResponse", body, n, err)
				}
			}
		})
	}
}

// The vendor's own sample of a lone object (get-smart-card-data, Example:
// Response 1) is still a list of one card.
func TestALoneSmartcardIsAListOfOne(t *testing.T) {
	srv, c := setup(t)
	const sample = `{"Uuid":"438d1b30-f3b4-4bed-85fa-285e08605ba7","Status":3,"Flags":1,` +
		`"ParentSmartcardUuid":"00000000-0000-0000-0000-000000000000","PrimarySmartcardUuid":"00000000-0000-0000-0000-000000000000",` +
		`"PermanentSmartcardUuid":"00000000-0000-0000-0000-000000000000","AssignedUserUuid":"8f1590dc-d932-4b66-8e68-2e91c5880780",` +
		`"ProfileTemplateUuid":"a039b4d0-5ce8-4eff-8651-181c6576fda3","ProfileTemplateVersion":46,"Comment":"",` +
		`"SerialNumber":"{d1ef6869-5517-42a0-8f05-16ca1a0b834d}","Middleware":"MSBaseCSP","Atr":"3b8d0180fba000000397425446590301c8"}`
	srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: "/smartcards", Status: http.StatusOK, ContentType: "application/json", Body: sample})
	cards, err := c.ListSmartcards(context.Background(), mimcm.SmartcardFilter{CardID: "d1ef6869"})
	if err != nil || len(cards) != 1 || cards[0].UUID != uuid.MustParse("438d1b30-f3b4-4bed-85fa-285e08605ba7") {
		t.Fatalf("got %+v, %v; want the sample's card", cards, err)
	}
}

// A server that lists one smart card (or profile) twice: Inventory walks
// each card and profile once, so no certificate is yielded twice and no
// card's certificates are asked for twice. Failed before: every
// certificate of the repeated cards came twice, in 3 more requests.
func TestInventoryWalksARepeatedCardOrProfileOnce(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	if _, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware}); err != nil {
		t.Fatal(err)
	}
	profiles, err := c.ListProfiles(ctx, mimcm.ProfileFilter{})
	if err != nil || len(profiles) == 0 {
		t.Fatalf("profiles %v: %v", profiles, err)
	}
	cards, err := c.ListSmartcards(ctx, mimcm.SmartcardFilter{})
	if err != nil || len(cards) == 0 {
		t.Fatalf("cards %v: %v", cards, err)
	}
	twice := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: "/api/v1.0/profiles", Status: http.StatusOK, ContentType: "application/json", Body: twice(append(profiles, profiles...))})
	srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: "/api/v1.0/smartcards", Status: http.StatusOK, ContentType: "application/json", Body: twice(append(cards, cards...))})
	before := srv.TotalHits()
	seen := map[string]int{}
	for it, err := range c.Inventory(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		owner := ""
		if it.Profile != nil {
			owner = "profile " + it.Profile.UUID.String()
		}
		if it.Smartcard != nil {
			owner = "card " + it.Smartcard.UUID.String()
		}
		seen[owner+" "+it.Certificate.Thumbprint]++
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("%s yielded %d times", k, n)
		}
	}
	if len(seen) == 0 {
		t.Fatal("nothing yielded")
	}
	// The user's certificates, the profiles, one per profile, the cards,
	// one per card.
	if n, want := srv.TotalHits()-before, 3+len(profiles)+len(cards); n != want {
		t.Errorf("%d requests, want %d", n, want)
	}
}
