package czertainly_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

func TestRolesAndPermissions(t *testing.T) {
	_, c := newFake(t, nil)
	ctx := context.Background()
	r, err := c.CreateRole(ctx, czertainly.RoleInput{Name: "operators", Description: "renew only"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(ctx, czertainly.RoleInput{Name: "operators"}); !errors.Is(err, czertainly.ErrConflict) {
		t.Errorf("duplicate role: %v", err)
	}
	if _, err := c.UpdateRole(ctx, r.UUID, czertainly.RoleInput{Name: "operators", Email: "ops@example.com"}); err != nil {
		t.Fatal(err)
	}
	res, err := c.ListAuthResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	certRes := res[0]
	want := czertainly.Permissions{Resources: []czertainly.ResourcePermissions{{Name: certRes.Name, Actions: []string{"list", "renew"}, Objects: []czertainly.ObjectPermissions{}}}}
	got, err := c.SaveRolePermissions(ctx, r.UUID, want)
	if diff := cmp.Diff(&want, got); err != nil || diff != "" {
		t.Errorf("save %v (-want +got):\n%s", err, diff)
	}
	obj := czertainly.ObjectPermissions{UUID: czertainlytest.RAProfileUUID, Name: "default", Allow: []string{"renew"}, Deny: []string{}}
	if err := c.AddRoleObjectPermissions(ctx, r.UUID, certRes.UUID, []czertainly.ObjectPermissions{obj}); err != nil {
		t.Fatal(err)
	}
	obj.Deny = []string{"revoke"}
	if err := c.UpdateRoleObjectPermissions(ctx, r.UUID, certRes.UUID, obj); err != nil {
		t.Fatal(err)
	}
	objs, err := c.GetRoleObjectPermissions(ctx, r.UUID, certRes.UUID)
	if diff := cmp.Diff([]czertainly.ObjectPermissions{obj}, objs); err != nil || diff != "" {
		t.Errorf("objects %v (-want +got):\n%s", err, diff)
	}
	rp, err := c.GetRoleResourcePermissions(ctx, r.UUID, certRes.UUID)
	if err != nil || len(rp.Objects) != 1 {
		t.Errorf("resource permissions %+v %v", rp, err)
	}
	if p, err := c.GetRolePermissions(ctx, r.UUID); err != nil || len(p.Resources) != 1 {
		t.Errorf("role permissions %+v %v", p, err)
	}
	if err := c.RemoveRoleObjectPermissions(ctx, r.UUID, certRes.UUID, obj.UUID); err != nil {
		t.Fatal(err)
	}
	if d, err := c.SetRoleUsers(ctx, r.UUID, []string{czertainlytest.AdminUserUUID}); err != nil || len(d.Users) != 1 {
		t.Errorf("set users %+v %v", d, err)
	}
	if us, err := c.GetRoleUsers(ctx, r.UUID); err != nil || len(us) != 1 || us[0].Username != "admin" {
		t.Errorf("role users %+v %v", us, err)
	}
	if d, err := c.GetRole(ctx, r.UUID); err != nil || d.Email != "ops@example.com" {
		t.Errorf("get %+v %v", d, err)
	}
	if rs, err := c.ListRoles(ctx); err != nil || len(rs) != 2 {
		t.Errorf("roles %+v %v", rs, err)
	}
	if err := c.DeleteRole(ctx, r.UUID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetRole(ctx, r.UUID); !errors.Is(err, czertainly.ErrNotFound) {
		t.Errorf("deleted role: %v", err)
	}
}
