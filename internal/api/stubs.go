package api

import "net/http"

// These route groups are filled in by their own files.
func (s *Server) shopRoutes()     {}
func (s *Server) moneyRoutes()    {}
func (s *Server) operatorRoutes() {}
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	writeError(w, 501, "not_implemented", "not yet")
}
