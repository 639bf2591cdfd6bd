package czertainlytest

import (
	"net/http"
	"sort"
)

// Fixed identifiers of the fake's authority connector.
const (
	ConnectorUUID = "e4c1a2b3-6d5f-4e7a-8b9c-0d1e2f3a4b61"
	ConnectorName = "czertainlytest-connector"
	AuthorityName = "czertainlytest authority"
)

// readRoutes are the documented reads the users' own tools start from:
// Core's info and health (doc-openapi-cert-manager.yaml), authorities
// (doc-openapi-core-authority.yaml), connectors
// (doc-openapi-core-connector.yaml) and groups (doc-openapi-core-group.yaml).
// The health probes are served without a caller before authentication
// (see routes).
func (s *Server) readRoutes(h func(string, func(http.ResponseWriter, *http.Request))) {
	// Core's actuator info, exposed under /v1 (application.yml:49-64 at
	// cad4432a) and authenticated like every other call.
	h("GET /api/v1/info", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"app":   map[string]string{"name": "CZERTAINLY-Core", "version": VendorRelease},
			"build": map[string]string{"timestamp": "2026-04-05T00:00:00Z", "branch": "czertainlytest"},
			"db":    map[string]string{"system": "PostgreSQL", "version": "16"},
		})
	})
	h("GET /api/v1/authorities", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []map[string]any{authorityDTO()})
	})
	h("GET /api/v1/authorities/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "uuid")
		if !ok {
			return
		}
		if id != AuthorityUUID {
			message(w, http.StatusNotFound, "%v", notFound("AuthorityInstanceReference", id))
			return
		}
		writeJSON(w, http.StatusOK, authorityDTO())
	})
	h("GET /api/v1/connectors", func(w http.ResponseWriter, r *http.Request) {
		out := []map[string]any{}
		q := r.URL.Query()
		if (q.Get("functionGroup") == "" || q.Get("functionGroup") == "authorityProvider") &&
			(q.Get("status") == "" || q.Get("status") == "connected") && (q.Get("kind") == "" || q.Get("kind") == "czertainlytest") {
			out = append(out, connectorDTO())
		}
		writeJSON(w, http.StatusOK, out)
	})
	h("GET /api/v1/connectors/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "uuid")
		if !ok {
			return
		}
		if id != ConnectorUUID {
			message(w, http.StatusNotFound, "%v", notFound("Connector", id))
			return
		}
		writeJSON(w, http.StatusOK, connectorDTO())
	})
	h("GET /api/v1/auth/resources/{resourceName}/objects", s.resourceObjects)
	h("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		out := []map[string]any{}
		for _, g := range s.sortedGroups() {
			out = append(out, groupDTO(g))
		}
		writeJSON(w, http.StatusOK, out)
	})
	h("GET /api/v1/groups/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "uuid")
		if !ok {
			return
		}
		g := s.groups[id]
		if g == nil {
			message(w, http.StatusNotFound, "%v", notFound("Group", id))
			return
		}
		writeJSON(w, http.StatusOK, groupDTO(g))
	})
}

func (s *Server) sortedGroups() []*group {
	out := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func groupDTO(g *group) map[string]any {
	out := map[string]any{"uuid": g.uuid, "name": g.name, "description": g.description, "customAttributes": []any{}}
	if g.email != "" {
		out["email"] = g.email
	}
	return out
}

func authorityDTO() map[string]any {
	return map[string]any{"uuid": AuthorityUUID, "name": AuthorityName, "attributes": []any{}, "customAttributes": []any{},
		"status": "connected", "connectorUuid": ConnectorUUID, "connectorName": ConnectorName, "kind": "czertainlytest"}
}

func connectorDTO() map[string]any {
	return map[string]any{"uuid": ConnectorUUID, "name": ConnectorName, "url": "http://czertainlytest-connector.invalid:8080",
		"authType": "none", "authAttributes": []any{}, "status": "connected", "customAttributes": []any{},
		"functionGroups": []map[string]any{{"uuid": "e4c1a2b3-6d5f-4e7a-8b9c-0d1e2f3a4b62", "name": "authorityProvider",
			"functionGroupCode": "authorityProvider", "kinds": []string{"czertainlytest"}, "endPoints": []any{}}}}
}

// listableResources are the resources whose service can list its objects
// (the services extending ResourceExtensionService in Core's service/
// package at cad4432a); for any other Core answers NotSupportedException,
// 501 (ResourceServiceImpl.java:127-131, ExceptionHandlingAdvice.java:549).
var listableResources = map[string]bool{
	"acmeAccounts": true, "acmeProfiles": true, "attributes": true, "authorities": true, "cboms": true, "certificates": true,
	"cmpProfiles": true, "complianceProfiles": true, "connectors": true, "credentials": true, "keys": true, "discoveries": true,
	"entities": true, "groups": true, "locations": true, "raProfiles": true, "roles": true, "scepProfiles": true, "secrets": true,
	"tokens": true, "tokenProfiles": true, "users": true, "vaultProfiles": true,
}

// resourceObjects is GET /v1/auth/resources/{resourceName}/objects
// (AuthControllerImpl.java:63-66): the objects of a resource as
// name and UUID, for setting object permissions of a role.
func (s *Server) resourceObjects(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("resourceName")
	var res *authResource
	for i := range authResources {
		if authResources[i].name == name {
			res = &authResources[i]
		}
	}
	if res == nil {
		// Spring cannot bind the Resource enum: 400.
		message(w, http.StatusBadRequest, "Failed to convert value of type 'java.lang.String' to required type 'Resource'")
		return
	}
	if !listableResources[name] {
		message(w, http.StatusNotImplemented, "Cannot list objects for requested resource: %s", res.display)
		return
	}
	type obj struct {
		UUID string `json:"uuid"`
		Name string `json:"name"`
	}
	out := []obj{}
	switch name {
	case "authorities":
		out = append(out, obj{AuthorityUUID, AuthorityName})
	case "connectors":
		out = append(out, obj{ConnectorUUID, ConnectorName})
	case "raProfiles":
		for _, p := range raProfiles {
			out = append(out, obj{p.uuid, p.name})
		}
	case "groups":
		for _, g := range s.sortedGroups() {
			out = append(out, obj{g.uuid, g.name})
		}
	case "users":
		for _, u := range s.sortedUsers() {
			out = append(out, obj{u.uuid, u.username})
		}
	case "roles":
		for _, rl := range s.sortedRoles() {
			out = append(out, obj{rl.uuid, rl.name})
		}
	case "certificates":
		for _, c := range s.newestFirst() {
			out = append(out, obj{c.uuid, s.dto(c).CommonName})
		}
	}
	writeJSON(w, http.StatusOK, out)
}
