package czertainlytest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"crypto/x509"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
)

// ------------------------------------------------------------- approvals

func (s *Server) sortedApprovals() []*approval {
	out := make([]*approval, 0, len(s.approvals))
	for _, a := range s.approvals {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].created.Before(out[j].created) || (out[i].created.Equal(out[j].created) && out[i].uuid < out[j].uuid)
	})
	return out
}

func (s *Server) approvalDTO(a *approval) czertainly.Approval {
	creator := ""
	if u := s.users[a.creator]; u != nil {
		creator = u.username
	}
	out := czertainly.Approval{UUID: a.uuid, CreatorUUID: a.creator, CreatorUsername: creator, Version: 1,
		CreatedAt: a.created.UTC().Truncate(time.Millisecond), ExpiryAt: a.created.Add(24 * time.Hour).UTC().Truncate(time.Millisecond),
		Status: a.status, Resource: "certificates", ResourceAction: a.action, ObjectUUID: a.object,
		ApprovalProfileName: "one approver", ApprovalProfileUUID: ApprovalProfileUUID}
	if !a.closed.IsZero() {
		out.ClosedAt = a.closed.UTC().Truncate(time.Millisecond)
	}
	return out
}

func pageParams(w http.ResponseWriter, r *http.Request) (items, page int, ok bool) {
	items, page = 10, 1
	var err error
	if v := r.URL.Query().Get("itemsPerPage"); v != "" {
		if items, err = strconv.Atoi(v); err != nil || items < 1 || items > 1000 {
			message(w, http.StatusBadRequest, "Validation error: itemsPerPage must be between 1 and 1000")
			return 0, 0, false
		}
	}
	if v := r.URL.Query().Get("pageNumber"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			message(w, http.StatusBadRequest, "Validation error: pageNumber must be at least 1")
			return 0, 0, false
		}
	}
	return items, page, true
}

func (s *Server) listApprovals(user bool) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		history := r.URL.Query().Get("history") == "true"
		u := userOf(r)
		s.approvalPage(w, r, func(a *approval) bool {
			if !user {
				return true
			}
			// listUserApprovals (ApprovalServiceImpl.java:75-86): approvals
			// with a recipient the user may decide, pending ones only
			// unless history is asked for.
			for _, rc := range a.recipients {
				if (history || rc.status == czertainly.ApprovalStatusPending) && slices.Contains(u.roles, SuperadminRoleUUID) {
					return true
				}
			}
			return false
		})
	}
}

// approvalPage answers one page of the approvals keep selects, oldest
// first.
func (s *Server) approvalPage(w http.ResponseWriter, r *http.Request, keep func(*approval) bool) {
	items, page, ok := pageParams(w, r)
	if !ok {
		return
	}
	var all []czertainly.Approval
	for _, a := range s.sortedApprovals() {
		if keep(a) {
			all = append(all, s.approvalDTO(a))
		}
	}
	from := min((page-1)*items, len(all))
	to := min(from+items, len(all))
	writeJSON(w, http.StatusOK, map[string]any{"approvals": append([]czertainly.Approval{}, all[from:to]...), "itemsPerPage": items,
		"pageNumber": page, "totalItems": len(all), "totalPages": (len(all) + items - 1) / items})
}

// certificateApprovals is GET /v1/certificates/{uuid}/approvals: the
// approvals whose object is the certificate
// (CertificateControllerImpl.java:190-194, ApprovalServiceImpl.java:64-72).
func (s *Server) certificateApprovals(w http.ResponseWriter, r *http.Request, c *certificate) {
	s.approvalPage(w, r, func(a *approval) bool { return a.object == c.uuid })
}

func (s *Server) findApproval(w http.ResponseWriter, r *http.Request) *approval {
	id, ok := pathUUID(w, r, "uuid")
	if !ok {
		return nil
	}
	a := s.approvals[id]
	if a == nil {
		message(w, http.StatusNotFound, "Approval with UUID %s not found", id)
	}
	return a
}

func (s *Server) getApproval(w http.ResponseWriter, r *http.Request) {
	a := s.findApproval(w, r)
	if a == nil {
		return
	}
	step := czertainly.ApprovalStep{UUID: "5e1b7a9c-0d2f-4c3b-8a1e-9f8d7c6b5a40", Order: 1, RequiredApprovals: 1, RoleUUID: SuperadminRoleUUID,
		RoleName: "superadmin", Recipients: []czertainly.ApprovalRecipient{}}
	for _, rc := range a.recipients {
		out := czertainly.ApprovalRecipient{UUID: rc.uuid, UserUUID: rc.user, Status: rc.status, Comment: rc.comment,
			CreatedAt: rc.created.UTC().Truncate(time.Millisecond)}
		if u := s.users[rc.user]; u != nil {
			out.Username = u.username
		}
		if !rc.closed.IsZero() {
			out.ClosedAt = rc.closed.UTC().Truncate(time.Millisecond)
		}
		step.Recipients = append(step.Recipients, out)
	}
	writeJSON(w, http.StatusOK, czertainly.ApprovalDetail{Approval: s.approvalDTO(a), Expiry: 24, Steps: []czertainly.ApprovalStep{step}})
}

// approveOverride is PATCH approve/reject: an administrator closes a
// pending approval whoever created it; any other status is 422
// (ApprovalServiceImpl.java:108-128).
func (s *Server) approveOverride(approve bool) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		a := s.findApproval(w, r)
		if a == nil {
			return
		}
		if a.status != czertainly.ApprovalStatusPending {
			verb := "reject"
			if approve {
				verb = "approve"
			}
			validation(w, "Cannot "+verb+" approval with other than pending state. Approval UUID: "+a.uuid)
			return
		}
		s.override(a, approve, userOf(r).uuid, s.cfg.backgroundLag)
		noContent(w)
	}
}

// decideAsRecipient is PATCH approveRecipient/rejectRecipient, Core's
// validateAndSetPendingApprovalRecipient (ApprovalServiceImpl.java:186-222):
// the creator may not decide (422), nor may a user decide twice (422);
// without a pending step for one of the user's roles the answer is 404.
// The fake's one step is for the superadmin role.
func (s *Server) decideAsRecipient(approve bool) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		a := s.findApproval(w, r)
		if a == nil {
			return
		}
		var body struct {
			Comment string `json:"comment"`
		}
		if r.ContentLength != 0 {
			if !decode(w, r, &body) {
				return
			}
		}
		u := userOf(r)
		if a.creator == u.uuid {
			validation(w, fmt.Sprintf("Approval %s can't be approved/rejected by the same user %s that created it.", a.uuid, u.username))
			return
		}
		for _, rc := range a.recipients {
			if rc.user == u.uuid {
				validation(w, fmt.Sprintf("User %s already made decision about the approval %s. Can't approve/reject it again.", u.username, a.uuid))
				return
			}
		}
		idx := -1
		for i, rc := range a.recipients {
			if rc.status == czertainly.ApprovalStatusPending && slices.Contains(u.roles, SuperadminRoleUUID) {
				idx = i
			}
		}
		if idx < 0 {
			message(w, http.StatusNotFound, "There is NOT expected step for current user %s for approval %s", u.username, a.uuid)
			return
		}
		status := czertainly.ApprovalStatusRejected
		if approve {
			status = czertainly.ApprovalStatusApproved
		}
		rc := &a.recipients[idx]
		rc.status, rc.user, rc.comment, rc.closed = status, u.uuid, body.Comment, s.clock()
		// One step: an approval closes the approval as approved
		// (processApprovalToTheNextStep, lines 224-253); a rejection closes
		// it as rejected (lines 136-141).
		s.closeApproval(a, status, s.cfg.backgroundLag)
		noContent(w)
	}
}

func (s *Server) listApprovalProfiles(w http.ResponseWriter, r *http.Request) {
	items, page, ok := pageParams(w, r)
	if !ok {
		return
	}
	all := []czertainly.ApprovalProfile{s.approvalProfileDTO()}
	from := min((page-1)*items, len(all))
	writeJSON(w, http.StatusOK, map[string]any{"approvalProfiles": all[from:min(from+items, len(all))], "itemsPerPage": items,
		"pageNumber": page, "totalItems": len(all), "totalPages": 1})
}

func (s *Server) getApprovalProfile(w http.ResponseWriter, r *http.Request) {
	id, ok := pathUUID(w, r, "uuid")
	if !ok {
		return
	}
	if id != ApprovalProfileUUID {
		message(w, http.StatusNotFound, "Approval profile with UUID %s not found", id)
		return
	}
	step := map[string]any{"uuid": "5e1b7a9c-0d2f-4c3b-8a1e-9f8d7c6b5a40", "order": 1, "requiredApprovals": 1, "roleUuid": SuperadminRoleUUID, "roleName": "superadmin"}
	writeJSON(w, http.StatusOK, czertainly.ApprovalProfileDetail{ApprovalProfile: s.approvalProfileDTO(), Steps: []map[string]any{step}})
}

// ------------------------------------------------------- users and roles

func (s *Server) userRoutes(h func(string, func(http.ResponseWriter, *http.Request))) {
	h("GET /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
		out := []czertainly.User{}
		for _, u := range s.sortedUsers() {
			out = append(out, s.userDTO(u))
		}
		writeJSON(w, http.StatusOK, out)
	})
	h("POST /api/v1/users", s.createUser)
	h("POST /api/v1/users/identify", s.identifyUser)
	h("GET /api/v1/users/{userUuid}", s.withUserPath(func(w http.ResponseWriter, r *http.Request, u *user) { writeJSON(w, http.StatusOK, s.userOut(u)) }))
	h("PUT /api/v1/users/{userUuid}", s.withUserPath(s.updateUser))
	h("DELETE /api/v1/users/{userUuid}", s.withUserPath(func(w http.ResponseWriter, r *http.Request, u *user) {
		if u.system {
			// Auth Services/UserService.cs:79, InvalidActionException.cs:8.
			authError(w, "INVALID_ACTION", "Cannot delete system user.")
			return
		}
		delete(s.users, u.uuid)
		noContent(w)
	}))
	h("PATCH /api/v1/users/{userUuid}/enable", s.withUserPath(func(w http.ResponseWriter, r *http.Request, u *user) {
		u.enabled = true
		writeJSON(w, http.StatusOK, s.userOut(u))
	}))
	h("PATCH /api/v1/users/{userUuid}/disable", s.withUserPath(func(w http.ResponseWriter, r *http.Request, u *user) {
		u.enabled = false
		writeJSON(w, http.StatusOK, s.userOut(u))
	}))
	h("GET /api/v1/users/{userUuid}/roles", s.withUserPath(func(w http.ResponseWriter, r *http.Request, u *user) {
		writeJSON(w, http.StatusOK, s.userDetail(u).Roles)
	}))
	h("PATCH /api/v1/users/{userUuid}/roles", s.withUserPath(func(w http.ResponseWriter, r *http.Request, u *user) {
		var ids []string
		if !decode(w, r, &ids) {
			return
		}
		for _, id := range ids {
			if s.roles[id] == nil {
				message(w, http.StatusNotFound, "Role with UUID %s not found", id)
				return
			}
		}
		u.roles = slices.Compact(slices.Sorted(slices.Values(ids)))
		writeJSON(w, http.StatusOK, s.userOut(u))
	}))
	h("PUT /api/v1/users/{userUuid}/roles/{roleUuid}", s.withUserPath(s.userRole(true)))
	h("DELETE /api/v1/users/{userUuid}/roles/{roleUuid}", s.withUserPath(s.userRole(false)))
	h("GET /api/v1/users/{userUuid}/permissions", s.withUserPath(func(w http.ResponseWriter, r *http.Request, u *user) { writeJSON(w, http.StatusOK, s.permissionsOf(u)) }))
	// The profile's permissions are the resources the user may list
	// (AuthServiceImpl.java:54-61, 82-115): UserProfilePermissionsDto has
	// allowedListings only.
	h("GET /api/v1/auth/profile", func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		writeJSON(w, http.StatusOK, czertainly.UserProfile{UserDetail: s.userDetail(u), Permissions: map[string]any{"allowedListings": s.allowedListings(u)}})
	})
	h("GET /api/v1/auth/resources", func(w http.ResponseWriter, r *http.Request) {
		out := []czertainly.AuthResource{}
		for _, res := range authResources {
			out = append(out, czertainly.AuthResource{UUID: res.uuid, Name: res.name, DisplayName: res.display, ObjectAccess: res.objectAccess,
				Actions: []czertainly.AuthAction{{UUID: res.uuid[:len(res.uuid)-4] + "1001", Name: "list", DisplayName: "List"}, {UUID: res.uuid[:len(res.uuid)-4] + "1002", Name: "detail", DisplayName: "Detail"}}})
		}
		writeJSON(w, http.StatusOK, out)
	})
	h("GET /api/v1/roles", func(w http.ResponseWriter, r *http.Request) {
		out := []czertainly.Role{}
		for _, rl := range s.sortedRoles() {
			out = append(out, roleDTO(rl))
		}
		writeJSON(w, http.StatusOK, out)
	})
	h("POST /api/v1/roles", s.saveRole(nil))
	h("GET /api/v1/roles/{roleUuid}", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) { writeJSON(w, http.StatusOK, s.roleOut(rl)) }))
	h("PUT /api/v1/roles/{roleUuid}", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) { s.saveRole(rl)(w, r) }))
	h("DELETE /api/v1/roles/{roleUuid}", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) {
		if rl.system {
			// Auth Services/RoleService.cs:47.
			authError(w, "INVALID_ACTION", "Cannot delete system role.")
			return
		}
		delete(s.roles, rl.uuid)
		for _, u := range s.users {
			u.roles = slices.DeleteFunc(u.roles, func(x string) bool { return x == rl.uuid })
		}
		noContent(w)
	}))
	h("GET /api/v1/roles/{roleUuid}/users", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) {
		writeJSON(w, http.StatusOK, s.roleDetail(rl).Users)
	}))
	h("PATCH /api/v1/roles/{roleUuid}/users", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) {
		var ids []string
		if !decode(w, r, &ids) {
			return
		}
		for _, u := range s.users {
			has := slices.Contains(ids, u.uuid)
			u.roles = slices.DeleteFunc(u.roles, func(x string) bool { return x == rl.uuid })
			if has {
				u.roles = append(u.roles, rl.uuid)
			}
		}
		writeJSON(w, http.StatusOK, s.roleOut(rl))
	}))
	h("GET /api/v1/roles/{roleUuid}/permissions", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) {
		writeJSON(w, http.StatusOK, s.rolePermissions(rl))
	}))
	h("POST /api/v1/roles/{roleUuid}/permissions", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) {
		var p czertainly.Permissions
		if !decode(w, r, &p) {
			return
		}
		rl.permissions = p
		rl.objects = map[string][]czertainly.ObjectPermissions{}
		writeJSON(w, http.StatusOK, s.rolePermissions(rl))
	}))
	h("GET /api/v1/roles/{roleUuid}/permissions/{resourceUuid}", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) {
		name, ok := s.resourceName(w, r)
		if !ok {
			return
		}
		for _, rp := range s.rolePermissions(rl).Resources {
			if rp.Name == name {
				writeJSON(w, http.StatusOK, rp)
				return
			}
		}
		writeJSON(w, http.StatusOK, czertainly.ResourcePermissions{Name: name, Actions: []string{}, Objects: s.objectsOf(rl, r.PathValue("resourceUuid"))})
	}))
	h("GET /api/v1/roles/{roleUuid}/permissions/{resourceUuid}/objects", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) {
		if _, ok := s.resourceName(w, r); ok {
			writeJSON(w, http.StatusOK, s.objectsOf(rl, r.PathValue("resourceUuid")))
		}
	}))
	h("POST /api/v1/roles/{roleUuid}/permissions/{resourceUuid}/objects", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) {
		if _, ok := s.resourceName(w, r); !ok {
			return
		}
		var objs []czertainly.ObjectPermissions
		if !decode(w, r, &objs) {
			return
		}
		res := r.PathValue("resourceUuid")
		for _, o := range objs {
			rl.objects[res] = append(slices.DeleteFunc(rl.objects[res], func(x czertainly.ObjectPermissions) bool { return x.UUID == o.UUID }), normObject(o))
		}
		noContent(w)
	}))
	h("PUT /api/v1/roles/{roleUuid}/permissions/{resourceUuid}/objects/{objectUuid}", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) {
		if _, ok := s.resourceName(w, r); !ok {
			return
		}
		obj, ok := pathUUID(w, r, "objectUuid")
		if !ok {
			return
		}
		var o czertainly.ObjectPermissions
		if !decode(w, r, &o) {
			return
		}
		o.UUID = obj
		res := r.PathValue("resourceUuid")
		rl.objects[res] = append(slices.DeleteFunc(rl.objects[res], func(x czertainly.ObjectPermissions) bool { return x.UUID == obj }), normObject(o))
		noContent(w)
	}))
	h("DELETE /api/v1/roles/{roleUuid}/permissions/{resourceUuid}/objects/{objectUuid}", s.withRole(func(w http.ResponseWriter, r *http.Request, rl *role) {
		if _, ok := s.resourceName(w, r); !ok {
			return
		}
		obj, ok := pathUUID(w, r, "objectUuid")
		if !ok {
			return
		}
		res := r.PathValue("resourceUuid")
		rl.objects[res] = slices.DeleteFunc(rl.objects[res], func(x czertainly.ObjectPermissions) bool { return x.UUID == obj })
		noContent(w)
	}))
}

func normObject(o czertainly.ObjectPermissions) czertainly.ObjectPermissions {
	if o.Allow == nil {
		o.Allow = []string{}
	}
	if o.Deny == nil {
		o.Deny = []string{}
	}
	return o
}

func (s *Server) resourceName(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, ok := pathUUID(w, r, "resourceUuid")
	if !ok {
		return "", false
	}
	for _, res := range authResources {
		if res.uuid == id {
			return res.name, true
		}
	}
	message(w, http.StatusNotFound, "Resource with UUID %s not found", id)
	return "", false
}

func (s *Server) objectsOf(rl *role, res string) []czertainly.ObjectPermissions {
	return append([]czertainly.ObjectPermissions{}, rl.objects[res]...)
}

func (s *Server) rolePermissions(rl *role) czertainly.Permissions {
	p := czertainly.Permissions{AllowAllResources: rl.permissions.AllowAllResources, Resources: []czertainly.ResourcePermissions{}}
	for _, rp := range rl.permissions.Resources {
		if rp.Actions == nil {
			rp.Actions = []string{}
		}
		objs := []czertainly.ObjectPermissions{}
		for _, o := range rp.Objects {
			objs = append(objs, normObject(o))
		}
		for _, res := range authResources {
			if res.name == rp.Name {
				objs = append(objs, rl.objects[res.uuid]...)
			}
		}
		rp.Objects = objs
		p.Resources = append(p.Resources, rp)
	}
	return p
}

func (s *Server) permissionsOf(u *user) czertainly.Permissions {
	out := czertainly.Permissions{Resources: []czertainly.ResourcePermissions{}}
	for _, id := range u.roles {
		if rl := s.roles[id]; rl != nil {
			p := s.rolePermissions(rl)
			out.AllowAllResources = out.AllowAllResources || p.AllowAllResources
			out.Resources = append(out.Resources, p.Resources...)
		}
	}
	return out
}

// allowedListings is AuthServiceImpl.getAllowedResourceListings
// (lines 82-115): every listable resource for allowAllResources, else the
// resources with an owner or (with group members permission) groups,
// and those whose list action is allowed. Sorted by name.
func (s *Server) allowedListings(u *user) []string {
	p := s.permissionsOf(u)
	byName := map[string]czertainly.ResourcePermissions{}
	for _, rp := range p.Resources {
		byName[rp.Name] = rp
	}
	allows := func(rp czertainly.ResourcePermissions, action string) bool {
		if rp.AllowAllActions || slices.Contains(rp.Actions, action) {
			return true
		}
		for _, o := range rp.Objects {
			if slices.Contains(o.Allow, action) {
				return true
			}
		}
		return false
	}
	g, hasGroups := byName["groups"]
	groupMembers := hasGroups && allows(g, "members")
	out := []string{}
	for _, res := range authResources {
		rp, ok := byName[res.name]
		if p.AllowAllResources || res.owner || (res.groups && groupMembers) || (ok && allows(rp, "list")) {
			out = append(out, res.name)
		}
	}
	sort.Strings(out)
	return out
}

func (s *Server) sortedUsers() []*user {
	out := make([]*user, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].username < out[j].username })
	return out
}

func (s *Server) sortedRoles() []*role {
	out := make([]*role, 0, len(s.roles))
	for _, r := range s.roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (s *Server) userDTO(u *user) czertainly.User {
	out := czertainly.User{UUID: u.uuid, Username: u.username, FirstName: u.firstName, LastName: u.lastName, Email: u.email,
		Description: u.description, Groups: []czertainly.NameAndUUID{}, Enabled: u.enabled, SystemUser: u.system}
	for _, g := range u.groups {
		if gr := s.groups[g]; gr != nil {
			out.Groups = append(out.Groups, czertainly.NameAndUUID{UUID: gr.uuid, Name: gr.name})
		}
	}
	return out
}

func (s *Server) userDetail(u *user) czertainly.UserDetail {
	d := czertainly.UserDetail{User: s.userDTO(u), Roles: []czertainly.Role{}}
	if u.certUUID != "" {
		d.Certificate = &czertainly.UserCertificate{UUID: u.certUUID, Fingerprint: u.certFingerprint}
	}
	for _, id := range u.roles {
		if rl := s.roles[id]; rl != nil {
			d.Roles = append(d.Roles, roleDTO(rl))
		}
	}
	return d
}

// userOut and roleOut are the detail answers with the custom attributes
// Core adds to what the Auth service returns.
func (s *Server) userOut(u *user) any {
	return struct {
		czertainly.UserDetail
		CustomAttributes []map[string]any `json:"customAttributes"`
	}{s.userDetail(u), append([]map[string]any{}, u.custom...)}
}

func (s *Server) roleOut(rl *role) any {
	return struct {
		czertainly.RoleDetail
		CustomAttributes []map[string]any `json:"customAttributes"`
	}{s.roleDetail(rl), append([]map[string]any{}, rl.custom...)}
}

// customAttributes turns request attributes into the ResponseAttribute
// Core answers with (type custom, the name as label). Their version is
// the AttributeVersion code "v2" (CZERTAINLY-Interfaces
// RequestAttributeV2.java:26, AttributeVersion.java:13,34-35), unlike an
// attribute definition's integer version.
func customAttributes(in []map[string]any) []map[string]any {
	out := []map[string]any{}
	for _, a := range in {
		r := map[string]any{"type": "custom", "label": a["name"], "version": "v2"}
		for _, k := range []string{"uuid", "name", "contentType", "version", "content"} {
			if v, ok := a[k]; ok && v != nil {
				r[k] = v
			}
		}
		out = append(out, r)
	}
	return out
}

func roleDTO(rl *role) czertainly.Role {
	return czertainly.Role{UUID: rl.uuid, Name: rl.name, Description: rl.description, Email: rl.email, SystemRole: rl.system}
}

func (s *Server) roleDetail(rl *role) czertainly.RoleDetail {
	d := czertainly.RoleDetail{Role: roleDTO(rl), Users: []czertainly.User{}}
	for _, u := range s.sortedUsers() {
		if slices.Contains(u.roles, rl.uuid) {
			d.Users = append(d.Users, s.userDTO(u))
		}
	}
	return d
}

func (s *Server) withUserPath(f func(http.ResponseWriter, *http.Request, *user)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "userUuid")
		if !ok {
			return
		}
		u := s.users[id]
		if u == nil {
			message(w, http.StatusNotFound, "User with UUID %s not found", id)
			return
		}
		f(w, r, u)
	}
}

func (s *Server) withRole(f func(http.ResponseWriter, *http.Request, *role)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "roleUuid")
		if !ok {
			return
		}
		rl := s.roles[id]
		if rl == nil {
			message(w, http.StatusNotFound, "Role with UUID %s not found", id)
			return
		}
		f(w, r, rl)
	}
}

func (s *Server) userRole(add bool) func(http.ResponseWriter, *http.Request, *user) {
	return func(w http.ResponseWriter, r *http.Request, u *user) {
		id, ok := pathUUID(w, r, "roleUuid")
		if !ok {
			return
		}
		if s.roles[id] == nil {
			message(w, http.StatusNotFound, "Role with UUID %s not found", id)
			return
		}
		u.roles = slices.DeleteFunc(u.roles, func(x string) bool { return x == id })
		if add {
			u.roles = append(u.roles, id)
		}
		writeJSON(w, http.StatusOK, s.userOut(u))
	}
}

type userRequest struct {
	Username        string   `json:"username"`
	FirstName       string   `json:"firstName"`
	LastName        string   `json:"lastName"`
	Email           string   `json:"email"`
	Description     string   `json:"description"`
	Enabled         *bool    `json:"enabled"`
	GroupUUIDs      []string `json:"groupUuids"`
	CertificateUUID string   `json:"certificateUuid"`
	CertificateData string   `json:"certificateData"`
	// CustomAttributes replace the user's (AttributeEngine.java:897).
	CustomAttributes []map[string]any `json:"customAttributes"`
}

// userCertificate resolves the certificate of a create or update: a UUID
// of the inventory, or data that is added to it.
func (s *Server) userCertificate(w http.ResponseWriter, req userRequest) (*certificate, bool) {
	switch {
	case req.CertificateUUID != "":
		c := s.certs[req.CertificateUUID]
		if c == nil || c.x509 == nil {
			message(w, http.StatusNotFound, "Certificate with UUID %s not found", req.CertificateUUID)
			return nil, false
		}
		return c, true
	case req.CertificateData != "":
		der, err := base64.StdEncoding.DecodeString(req.CertificateData)
		var crt *x509.Certificate
		if err == nil {
			crt, err = x509.ParseCertificate(der)
		}
		if err != nil {
			message(w, http.StatusBadRequest, "Certificate error occurred: could not parse certificate")
			return nil, false
		}
		for _, c := range s.certs {
			if c.x509 != nil && c.x509.Equal(crt) {
				return c, true
			}
		}
		return s.addIssued(crt, nil, nil, s.clock()), true
	}
	return nil, true
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req userRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Username == "" {
		validation(w, "username must not be empty")
		return
	}
	for _, u := range s.users {
		if u.username == req.Username {
			notUnique(w, fmt.Sprintf("User with username '%s' already exists", req.Username))
			return
		}
	}
	groups, ok := s.userGroups(w, req.GroupUUIDs)
	if !ok {
		return
	}
	c, ok := s.userCertificate(w, req)
	if !ok {
		return
	}
	u := &user{uuid: newUUID(), username: req.Username, firstName: req.FirstName, lastName: req.LastName, email: req.Email, description: req.Description, groups: groups,
		custom: customAttributes(req.CustomAttributes)}
	if req.Enabled != nil {
		u.enabled = *req.Enabled
	}
	if c != nil {
		u.certUUID, u.certFingerprint = c.uuid, fingerprint(c.x509.Raw)
		c.owner = u
	}
	s.users[u.uuid] = u
	writeJSON(w, http.StatusCreated, s.userOut(u))
}

// updateUser replaces the user's fields, as Core's PUT does: an absent
// field is cleared, groups and the login certificate included.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, u *user) {
	var req userRequest
	if !decode(w, r, &req) {
		return
	}
	if u.system {
		// Auth Services/UserService.cs:71.
		authError(w, "INVALID_ACTION", "Cannot update system user.")
		return
	}
	if req.Email == "" {
		validation(w, "email must not be empty")
		return
	}
	c, ok := s.userCertificate(w, req)
	if !ok {
		return
	}
	// Core resolves the groups it is given (404 for an unknown one,
	// UserManagementServiceImpl.java:369-375) and sends the Auth service
	// a DTO that the service maps whole onto the user (CZERTAINLY-Auth
	// Models/Mappings/UserProfile.cs:17): groups left out are cleared, and
	// so is the login certificate when the request names none (Core passes
	// "" for it, UserManagementServiceImpl.java:167, 355-362, and unlinks
	// the old one, line 381).
	groups, ok := s.userGroups(w, req.GroupUUIDs)
	if !ok {
		return
	}
	u.groups = groups
	u.firstName, u.lastName, u.email, u.description = req.FirstName, req.LastName, req.Email, req.Description
	// Custom attributes are replaced by the request's list, none when it
	// has none (UserManagementServiceImpl.java:166-168, AttributeEngine.java:897).
	u.custom = customAttributes(req.CustomAttributes)
	u.certUUID, u.certFingerprint = "", ""
	if c != nil {
		u.certUUID, u.certFingerprint = c.uuid, fingerprint(c.x509.Raw)
	}
	writeJSON(w, http.StatusOK, s.userOut(u))
}

// notUnique is the Auth service's EntityNotUniqueException as Core passes
// it on: 400 application/problem+json with code ENTITY_NOT_UNIQUE
// (CZERTAINLY-Auth Common/Exceptions/EntityNotUniqueException.cs:8,
// Services/UserService.cs:63, Services/RoleService.cs:28; Core
// ExceptionHandlingAdvice.java:447-453; the body is
// AuthenticationServiceExceptionDto).
func notUnique(w http.ResponseWriter, msg string) { authError(w, "ENTITY_NOT_UNIQUE", msg) }

// authError is an Auth service RequestException with status 400 as Core
// passes it on (EHA:447-453).
func authError(w http.ResponseWriter, code, msg string) {
	b, _ := json.Marshal(map[string]any{"statusCode": http.StatusBadRequest, "code": code, "message": msg})
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(b)
}

// userGroups resolves a user's group UUIDs as Core does before it calls
// the Auth service (UserManagementServiceImpl.java:145-150).
func (s *Server) userGroups(w http.ResponseWriter, ids []string) ([]string, bool) {
	out := []string{}
	for _, id := range ids {
		if s.groups[id] == nil {
			message(w, http.StatusNotFound, "%v", notFound("Group", id))
			return nil, false
		}
		out = append(out, id)
	}
	return slices.Compact(slices.Sorted(slices.Values(out))), true
}

func (s *Server) identifyUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CertificateContent string `json:"certificateContent"`
	}
	if !decode(w, r, &req) {
		return
	}
	der, err := base64.StdEncoding.DecodeString(req.CertificateContent)
	if err != nil {
		message(w, http.StatusBadRequest, "Certificate error occurred: could not parse certificate")
		return
	}
	fp := fingerprint(der)
	for _, u := range s.users {
		if u.certFingerprint == fp {
			writeJSON(w, http.StatusOK, s.userOut(u))
			return
		}
	}
	message(w, http.StatusNotFound, "No user is identified by the certificate")
}

func (s *Server) saveRole(existing *role) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Name             string           `json:"name"`
			Description      string           `json:"description"`
			Email            string           `json:"email"`
			CustomAttributes []map[string]any `json:"customAttributes"`
		}
		if !decode(w, r, &req) {
			return
		}
		if req.Name == "" {
			validation(w, "name must not be empty")
			return
		}
		rl := existing
		if rl != nil && rl.system {
			// Auth Services/RoleService.cs:39.
			authError(w, "INVALID_ACTION", "Cannot update system role.")
			return
		}
		if rl == nil {
			for _, o := range s.roles {
				if o.name == req.Name {
					notUnique(w, fmt.Sprintf("Role with name '%s' already exists", req.Name))
					return
				}
			}
			rl = &role{uuid: newUUID(), objects: map[string][]czertainly.ObjectPermissions{}, permissions: czertainly.Permissions{Resources: []czertainly.ResourcePermissions{}}}
			s.roles[rl.uuid] = rl
		}
		rl.name, rl.description, rl.email = req.Name, req.Description, req.Email
		// Create and update both replace the role's custom attributes with
		// the request's (RoleManagementServiceImpl.java:64, 78).
		rl.custom = customAttributes(req.CustomAttributes)
		status := http.StatusOK
		if existing == nil {
			status = http.StatusCreated
		}
		writeJSON(w, status, s.roleOut(rl))
	}
}
