package workosauth

import (
	"encoding/json"
	"maps"

	"github.com/workos/workos-go/v4/pkg/usermanagement"
)

// User is the signed-in user an [Authenticator] resolves from an access
// token, shaped like the user object of Mastra's MastraAuthWorkos: its JSON
// uses the same field names (id, workosId, email, name, avatarUrl, metadata,
// organizationId, organizationMembershipId, memberships), and, as in
// Mastra, the token's raw claims appear next to them (sub, sid, org_id, …).
type User struct {
	// ID is the Mastra user id: the WorkOS user id unless
	// ClaimPaths.UserID maps it from another claim.
	ID string `json:"id"`
	// WorkOSID is the WorkOS user id (or the subject of a service token).
	WorkOSID string `json:"workosId"`
	Email    string `json:"email,omitempty"`
	// Name is "First Last", else the first name, else the email.
	Name      string `json:"name,omitempty"`
	AvatarURL string `json:"avatarUrl,omitempty"`
	// Metadata holds workosId and, for users read from WorkOS, emailVerified
	// and createdAt; for users read from trusted claims, the token's
	// metadata claim plus workosId and the organization ids.
	Metadata map[string]any `json:"metadata,omitempty"`
	// OrganizationID is the user's organization: from the token's claims
	// when they are trusted, else the organization of the user's only
	// membership (and empty when there are none or several).
	OrganizationID           string `json:"organizationId,omitempty"`
	OrganizationMembershipID string `json:"organizationMembershipId,omitempty"`
	// Memberships lists the user's active organization memberships when
	// AuthenticatorConfig.FetchMemberships is set.
	Memberships []Membership `json:"memberships,omitempty"`
	// Claims holds every verified claim of the access token.
	Claims map[string]any `json:"-"`
}

// userFields has User's fields without its methods, for encoding.
type userFields User

// MarshalJSON encodes the user like Mastra does: the raw claims first, then
// the user fields, which win on a name clash.
func (u User) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(userFields(u))
	if err != nil || len(u.Claims) == 0 {
		return b, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(u.Claims)+len(fields))
	maps.Copy(out, u.Claims)
	for k, v := range fields {
		out[k] = v
	}
	return json.Marshal(out)
}

// UnmarshalJSON decodes what MarshalJSON writes; keys that are not user
// fields go to Claims.
func (u *User) UnmarshalJSON(b []byte) error {
	var f userFields
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	var all map[string]any
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for _, k := range []string{"id", "workosId", "email", "name", "avatarUrl", "metadata",
		"organizationId", "organizationMembershipId", "memberships"} {
		delete(all, k)
	}
	if len(all) > 0 {
		f.Claims = all
	}
	*u = User(f)
	return nil
}

// Membership is a WorkOS organization membership, with the field names of
// workos-node's OrganizationMembership (as Mastra exposes it).
type Membership struct {
	ID             string         `json:"id"`
	UserID         string         `json:"userId"`
	OrganizationID string         `json:"organizationId"`
	Role           MembershipRole `json:"role"`
	Status         string         `json:"status"` // active, inactive or pending
	CreatedAt      string         `json:"createdAt,omitempty"`
	UpdatedAt      string         `json:"updatedAt,omitempty"`
}

// MembershipRole is the role a membership grants.
type MembershipRole struct {
	Slug string `json:"slug"`
}

// userFromWorkOS maps a WorkOS user like Mastra's mapWorkOSUserToEEUser.
func userFromWorkOS(w usermanagement.User) *User {
	name := w.FirstName
	switch {
	case w.FirstName != "" && w.LastName != "":
		name = w.FirstName + " " + w.LastName
	case name == "":
		name = w.Email
	}
	return &User{
		ID:        w.ID,
		WorkOSID:  w.ID,
		Email:     w.Email,
		Name:      name,
		AvatarURL: w.ProfilePictureURL,
		Metadata: map[string]any{
			"workosId":      w.ID,
			"emailVerified": w.EmailVerified,
			"createdAt":     w.CreatedAt,
		},
	}
}

func membershipFromWorkOS(m usermanagement.OrganizationMembership) Membership {
	return Membership{
		ID:             m.ID,
		UserID:         m.UserID,
		OrganizationID: m.OrganizationID,
		Role:           MembershipRole{Slug: m.Role.Slug},
		Status:         string(m.Status),
		CreatedAt:      m.CreatedAt,
		UpdatedAt:      m.UpdatedAt,
	}
}

// userFromClaims builds the user a token describes by itself, like
// Mastra's resolveJwtPayloadUser. It returns nil when no user id or WorkOS
// id can be read.
func userFromClaims(t *VerifiedToken, paths ClaimPaths, mapClaims func(*VerifiedToken, *User)) *User {
	claim := func(path, def string) string {
		if s, ok := t.Claim(path); ok {
			return s
		}
		s, _ := t.Claim(def)
		return s
	}
	u := &User{ID: claim(paths.UserID, "sub")}
	u.WorkOSID = claim(paths.WorkOSID, "")
	if u.WorkOSID == "" {
		u.WorkOSID = u.ID
	}
	if u.ID == "" || u.WorkOSID == "" {
		return nil
	}
	u.Email = claim(paths.Email, "email")
	u.Name = claim(paths.Name, "name")
	u.OrganizationID = claim(paths.OrganizationID, "org_id")
	u.OrganizationMembershipID, _ = t.Claim(paths.OrganizationMembershipID)
	if mapClaims != nil {
		mapClaims(t, u)
		if u.WorkOSID == "" {
			u.WorkOSID = u.ID
		}
		if u.ID == "" || u.WorkOSID == "" {
			return nil
		}
	}
	if u.Name == "" {
		u.Name = u.Email
	}
	if u.Name == "" {
		u.Name = u.ID
	}
	md := map[string]any{}
	if m, ok := t.Claims["metadata"].(map[string]any); ok {
		maps.Copy(md, m)
	}
	maps.Copy(md, u.Metadata)
	md["workosId"] = u.WorkOSID
	if u.OrganizationID != "" {
		md["organizationId"] = u.OrganizationID
	}
	if u.OrganizationMembershipID != "" {
		md["organizationMembershipId"] = u.OrganizationMembershipID
	}
	u.Metadata = md
	return u
}
