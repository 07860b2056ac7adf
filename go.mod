module github.com/mastra-community/mastra-go

go 1.26.0

require (
	github.com/go-jose/go-jose/v4 v4.1.9
	github.com/hashicorp/go-retryablehttp v0.7.8
	github.com/stretchr/testify v1.12.1
	github.com/workos/workos-go/v4 v4.46.1
	golang.org/x/oauth2 v0.38.0
)

require (
	github.com/google/go-querystring v1.0.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
