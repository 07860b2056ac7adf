package workosauth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/mastra-community/mastra-go/workosauth"
	"github.com/mastra-community/mastra-go/workosauth/workostest"
)

// A Verifier checks WorkOS access tokens against the client's published
// keys. Build one per process; here it points at an in-process fake WorkOS.
func ExampleVerifier() {
	fake := workostest.New()
	defer fake.Close()
	token, err := fake.AccessToken(workostest.Claims{Subject: "user_01ADA", OrganizationID: "org_01ACME", Role: "admin"})
	if err != nil {
		log.Fatal(err)
	}

	v, err := workosauth.NewVerifier(fake.ClientID, workosauth.VerifierConfig{
		Endpoint: fake.URL, // omit for https://api.workos.com
		Leeway:   5 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	claims, err := v.Verify(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.Subject, claims.OrganizationID, claims.Role)

	_, err = v.Verify(context.Background(), token+"x")
	fmt.Println(errors.Is(err, workosauth.ErrTokenSignature), errors.Is(err, workosauth.ErrTokenExpired))
	// Output:
	// user_01ADA org_01ACME admin
	// true false
}

// Middleware protects handlers the way a Mastra server protects its API,
// and hands them the resolved user.
func ExampleAuthenticator_Middleware() {
	fake := workostest.New()
	defer fake.Close()
	ada := fake.AddUser(workostest.User{ID: "user_01ADA", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})

	auth, err := workosauth.NewAuthenticator(workosauth.AuthenticatorConfig{
		ClientID:    fake.ClientID,
		APIKey:      fake.APIKey,
		Endpoint:    fake.URL, // omit for https://api.workos.com
		PublicPaths: []string{"/health"},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/hello", func(w http.ResponseWriter, r *http.Request) {
		u, _ := workosauth.UserFromContext(r.Context())
		fmt.Fprintf(w, "hello %s <%s>", u.Name, u.Email)
	})
	srv := httptest.NewServer(auth.Middleware(mux))
	defer srv.Close()

	get := func(token string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/hello", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, string(body))
	}
	token, err := fake.AccessToken(workostest.Claims{Subject: ada.ID})
	if err != nil {
		log.Fatal(err)
	}
	get(token)
	get("")
	// Output:
	// 200 hello Ada Lovelace <ada@example.com>
	// 401 {"error":"Invalid or expired token"}
}
