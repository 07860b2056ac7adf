package workostest

import (
	"fmt"
	"time"
)

// User is a WorkOS user known to the fake.
type User struct {
	// ID is the user id; AddUser makes one ("user_01...") when empty.
	ID                string
	Email             string
	FirstName         string
	LastName          string
	EmailVerified     bool
	ProfilePictureURL string
	ExternalID        string
	Metadata          map[string]string
	// CreatedAt defaults to the fake's clock at AddUser.
	CreatedAt time.Time
	// AuthError, when set, makes every code exchange for this user fail
	// with the WorkOS error of that code and its real body:
	// "sso_required", "mfa_enrollment", "mfa_challenge",
	// "organization_selection_required", "email_verification_required" or
	// "organization_authentication_methods_required".
	AuthError string
}

// Membership is an organization membership known to the fake.
type Membership struct {
	// ID is the membership id; AddMembership makes one ("om_01...") when
	// empty.
	ID               string
	UserID           string
	OrganizationID   string
	OrganizationName string
	// Role is the role slug (default "member"); it becomes the token's role
	// claim when the session is in this organization.
	Role string
	// Roles are extra role slugs listed in the membership's roles (Role is
	// always included) and in the token's roles claim.
	Roles []string
	// Permissions become the token's permissions claim.
	Permissions []string
	// Status is "active" (default), "inactive" or "pending". Only active
	// memberships can scope a session.
	Status    string
	CreatedAt time.Time
}

// AddUser adds (or replaces, by id) a user and returns it with defaults
// filled in.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = newID("user_")
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now().UTC()
	}
	if u.Metadata == nil {
		u.Metadata = map[string]string{}
	}
	if _, ok := s.users[u.ID]; !ok {
		s.userOrder = append(s.userOrder, u.ID)
	}
	cp := u
	s.users[u.ID] = &cp
	return u
}

// AddMembership adds a membership of a known user in an organization and
// returns it with defaults filled in. The organization needs no separate
// creation; the name defaults to the id.
func (s *Server) AddMembership(m Membership) (Membership, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[m.UserID]; !ok {
		return Membership{}, fmt.Errorf("workostest: AddMembership: unknown user %q", m.UserID)
	}
	if m.OrganizationID == "" {
		return Membership{}, fmt.Errorf("workostest: AddMembership: missing OrganizationID")
	}
	if m.ID == "" {
		m.ID = newID("om_")
	}
	if m.Role == "" {
		m.Role = "member"
	}
	if m.Status == "" {
		m.Status = "active"
	}
	if m.OrganizationName == "" {
		m.OrganizationName = m.OrganizationID
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now().UTC()
	}
	cp := m
	s.memberships = append(s.memberships, &cp)
	return m, nil
}

// SetMembershipStatus changes the status of a membership ("active",
// "inactive" or "pending").
func (s *Server) SetMembershipStatus(membershipID, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.memberships {
		if m.ID == membershipID {
			m.Status = status
			return nil
		}
	}
	return fmt.Errorf("workostest: unknown membership %q", membershipID)
}

func (s *Server) activeMembershipLocked(userID, orgID string) *Membership {
	for _, m := range s.memberships {
		if m.UserID == userID && m.OrganizationID == orgID && m.Status == "active" {
			return m
		}
	}
	return nil
}

func (s *Server) activeMembershipsLocked(userID string) []*Membership {
	var out []*Membership
	for _, m := range s.memberships {
		if m.UserID == userID && m.Status == "active" {
			out = append(out, m)
		}
	}
	return out
}

func rolesOf(m *Membership) []string {
	roles := []string{m.Role}
	for _, r := range m.Roles {
		if r != m.Role {
			roles = append(roles, r)
		}
	}
	return roles
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (u *User) wire() map[string]any {
	name := u.FirstName
	if u.LastName != "" {
		if name != "" {
			name += " "
		}
		name += u.LastName
	}
	var ext any
	if u.ExternalID != "" {
		ext = u.ExternalID
	}
	var pic any
	if u.ProfilePictureURL != "" {
		pic = u.ProfilePictureURL
	}
	md := u.Metadata
	if md == nil {
		md = map[string]string{}
	}
	return map[string]any{
		"object":              "user",
		"id":                  u.ID,
		"email":               u.Email,
		"email_verified":      u.EmailVerified,
		"first_name":          u.FirstName,
		"last_name":           u.LastName,
		"name":                name,
		"profile_picture_url": pic,
		"last_sign_in_at":     timestamp(u.CreatedAt),
		"locale":              nil,
		"external_id":         ext,
		"metadata":            md,
		"created_at":          timestamp(u.CreatedAt),
		"updated_at":          timestamp(u.CreatedAt),
	}
}

func (m *Membership) wire() map[string]any {
	roles := []map[string]string{}
	for _, r := range rolesOf(m) {
		roles = append(roles, map[string]string{"slug": r})
	}
	return map[string]any{
		"object":            "organization_membership",
		"id":                m.ID,
		"user_id":           m.UserID,
		"organization_id":   m.OrganizationID,
		"organization_name": m.OrganizationName,
		"status":            m.Status,
		"role":              map[string]string{"slug": m.Role},
		"roles":             roles,
		"directory_managed": false,
		"custom_attributes": map[string]any{},
		"created_at":        timestamp(m.CreatedAt),
		"updated_at":        timestamp(m.CreatedAt),
	}
}
