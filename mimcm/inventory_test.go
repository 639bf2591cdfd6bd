package mimcm_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func TestInventory(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	e, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if err != nil {
		t.Fatal(err)
	}
	var fromProfiles, fromCards int
	var mine *mimcm.InventoryItem
	for item, err := range c.Inventory(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case item.Profile != nil:
			fromProfiles++
			if item.Profile.UUID == uuid.Nil {
				t.Error("empty profile")
			}
			if item.Profile.UUID == *e.Request.NewProfileUUID {
				mine = &item
			}
		case item.Smartcard != nil:
			fromCards++
		}
	}
	if fromProfiles != 1 || fromCards != 4 {
		t.Errorf("%d profile and %d smart card certificates, want 1 and 4", fromProfiles, fromCards)
	}
	if mine == nil || !mine.Certificate.NotAfter.Equal(e.Certificate.NotAfter.UTC()) ||
		!mine.Certificate.ExpiresWithin(time.Now(), 400*24*time.Hour) || mine.Certificate.ExpiresWithin(time.Now(), 24*time.Hour) {
		t.Errorf("the enrolled certificate's expiry: %+v", mine)
	}

	// Stopping the loop stops the calls.
	calls := srv.TotalHits()
	for _, err := range c.Inventory(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	// The user's certificates, the profiles, and the first profile with a certificate.
	if n := srv.TotalHits() - calls; n > 3+3 {
		t.Errorf("%d calls for one item", n)
	}
	if n := srv.HitsMatching(http.MethodGet, "/smartcards"); n != 1 {
		t.Errorf("%d smart card lists, want 1 (from the full walk only)", n)
	}
}
