package mimcm

import "testing"

// Retired: a smart card whose status is Retired (6, the number a card set
// to "Retired" reads back as in update-smartcard-status.md) retires its
// certificates; the other card numbers (2 and 3 in the samples, meanings
// unpublished) and every profile status do not (only Active, 2, is
// pinned for profiles).
func TestInventoryCertificateRetired(t *testing.T) {
	for _, tc := range []struct {
		name string
		item InventoryItem
		want bool
	}{
		{"card retired", InventoryItem{Smartcard: &Smartcard{Status: SmartcardStatusRetired}}, true},
		{"card 2", InventoryItem{Smartcard: &Smartcard{Status: 2}}, false},
		{"card 3", InventoryItem{Smartcard: &Smartcard{Status: 3}}, false},
		{"profile active", InventoryItem{Profile: &Profile{Status: ProfileStatusActive}}, false},
		{"profile 6", InventoryItem{Profile: &Profile{Status: 6}}, false},
	} {
		if got := inventoryCertificate(tc.item).Retired; got != tc.want {
			t.Errorf("%s: Retired %v, want %v", tc.name, got, tc.want)
		}
	}
}
