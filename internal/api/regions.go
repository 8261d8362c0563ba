package api

import (
	"errors"
	"net/http"

	"github.com/greenmall/greenmall/internal/region"
)

func (s *Server) regionRoutes() {
	s.mux.HandleFunc("GET /api/regions", s.regions)
}

// regions serves the children of ?parent= (the provinces without it).
func (s *Server) regions(w http.ResponseWriter, r *http.Request) {
	b, err := region.ChildrenJSON(r.URL.Query().Get("parent"))
	if errors.Is(err, region.ErrUnknownCode) {
		writeError(w, 404, "not_found", "unknown region code")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	writeRaw(w, 200, b)
}

// Regions adapts the region package to the platform's checker.
type Regions struct{}

// Valid reports whether code is a known division.
func (Regions) Valid(code string) bool { return region.Valid(code) }
