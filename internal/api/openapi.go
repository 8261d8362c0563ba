package api

import (
	_ "embed"
	"net/http"
)

// openapiJSON is the OpenAPI 3.0 document of every route of the server.
//
//go:embed openapi.json
var openapiJSON []byte

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeRaw(w, 200, openapiJSON)
}
