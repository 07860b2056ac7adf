package mastra

// Version is the version of this SDK. The client sends it in its default
// User-Agent, "mastra-go/" + Version.
const Version = "0.1.0"
