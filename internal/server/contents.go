package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"nmfkernel/internal/contents"
)

// maxContentsBody is the largest PUT of a file or notebook accepted
// (jupyter_server's max_body_size is 512 MiB).
const maxContentsBody = 256 << 20

// contentsError maps a contents.Store error to a status code.
func (s *Server) contentsError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, contents.ErrNotFound):
		s.fail(w, http.StatusNotFound, err.Error())
	case errors.Is(err, contents.ErrForbidden):
		s.fail(w, http.StatusForbidden, err.Error())
	case errors.Is(err, contents.ErrConflict):
		s.fail(w, http.StatusConflict, err.Error())
	case errors.Is(err, contents.ErrBadModel):
		s.fail(w, http.StatusBadRequest, err.Error())
	default:
		s.fail(w, http.StatusInternalServerError, err.Error())
	}
}

// contentsRoute splits /api/contents/PATH[/checkpoints[/ID]].
func contentsRoute(p string) (file string, checkpoints bool, id string) {
	if before, after, ok := strings.Cut(p, "/checkpoints"); ok && (after == "" || strings.HasPrefix(after, "/")) && !strings.Contains(strings.TrimPrefix(after, "/"), "/") {
		return before, true, strings.TrimPrefix(after, "/")
	}
	if p == "checkpoints" {
		return "", true, ""
	}
	return p, false, ""
}

// contentsAPI serves /api/contents/, jupyter_server's contents API.
func (s *Server) contentsAPI(w http.ResponseWriter, r *http.Request) {
	p, checkpoints, id := contentsRoute(r.PathValue("path"))
	if checkpoints {
		s.checkpoints(w, r, p, id)
		return
	}
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		m, err := s.files.Get(p, contents.GetOptions{Content: q.Get("content") != "0", Type: q.Get("type"), Format: q.Get("format")})
		if err != nil {
			s.contentsError(w, err)
			return
		}
		s.reply(w, http.StatusOK, m)
	case http.MethodPut:
		var m contents.SaveModel
		if !s.readBodyLimit(w, r, &m, maxContentsBody) {
			return
		}
		code := http.StatusOK
		if _, err := s.files.Get(p, contents.GetOptions{}); err != nil {
			code = http.StatusCreated
		}
		saved, err := s.files.Save(p, m)
		if err != nil {
			s.contentsError(w, err)
			return
		}
		w.Header().Set("Location", s.url("api/contents/"+saved.Path))
		s.reply(w, code, saved)
	case http.MethodPost:
		var body struct {
			Type     string `json:"type"`
			Ext      string `json:"ext"`
			CopyFrom string `json:"copy_from"`
		}
		if !s.readBody(w, r, &body) {
			return
		}
		var m *contents.Model
		var err error
		if body.CopyFrom != "" {
			m, err = s.files.Copy(body.CopyFrom, p)
		} else {
			m, err = s.files.NewUntitled(p, body.Type, body.Ext)
		}
		if err != nil {
			s.contentsError(w, err)
			return
		}
		w.Header().Set("Location", s.url("api/contents/"+m.Path))
		s.reply(w, http.StatusCreated, m)
	case http.MethodPatch:
		var body struct {
			Path *string `json:"path"`
		}
		if !s.readBody(w, r, &body) {
			return
		}
		if body.Path == nil {
			s.fail(w, http.StatusBadRequest, "no new path given")
			return
		}
		m, err := s.files.Rename(p, *body.Path)
		if err != nil {
			s.contentsError(w, err)
			return
		}
		s.sessions.renamed(p, m.Path)
		s.reply(w, http.StatusOK, m)
	case http.MethodDelete:
		if err := s.files.Delete(p); err != nil {
			s.contentsError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		s.fail(w, http.StatusMethodNotAllowed, r.Method+" is not a contents operation")
	}
}

func (s *Server) checkpoints(w http.ResponseWriter, r *http.Request, p, id string) {
	switch {
	case r.Method == http.MethodGet && id == "":
		list, err := s.files.Checkpoints(p)
		if err != nil {
			s.contentsError(w, err)
			return
		}
		s.reply(w, http.StatusOK, list)
	case r.Method == http.MethodPost && id == "":
		c, err := s.files.CreateCheckpoint(p)
		if err != nil {
			s.contentsError(w, err)
			return
		}
		s.reply(w, http.StatusCreated, c)
	case r.Method == http.MethodPost:
		if err := s.files.RestoreCheckpoint(p, id); err != nil {
			s.contentsError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodDelete && id != "":
		if err := s.files.DeleteCheckpoint(p, id); err != nil {
			s.contentsError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		s.fail(w, http.StatusMethodNotAllowed, r.Method+" is not a checkpoint operation")
	}
}

// rawFile serves /files/PATH: a file's bytes, as jupyter_server's files
// handler, sandboxed so that an HTML or SVG file cannot script the app.
func (s *Server) rawFile(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	f, fi, err := s.files.Open(p)
	if err != nil {
		s.contentsError(w, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		h.Set("Content-Type", t)
	}
	if r.URL.Query().Has("download") {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(p)}))
	}
	http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
}

// readBodyLimit is readBody with its own size limit.
func (s *Server) readBodyLimit(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over the %d-byte limit", limit))
		return false
	case err != nil:
		s.fail(w, http.StatusBadRequest, fmt.Sprintf("request body: %v", err))
		return false
	case len(strings.TrimSpace(string(b))) == 0:
		return true
	}
	if err := json.Unmarshal(b, v); err != nil {
		s.fail(w, http.StatusBadRequest, fmt.Sprintf("request body: %v", err))
		return false
	}
	return true
}
