package server

import (
	"context"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"

	"nmfkernel/internal/jupyter"
	"nmfkernel/internal/kernels"
)

// session ties a document (path) to a kernel, as jupyter_server's
// sessions do.
type session struct {
	ID, Path, Name, Type, KernelID string
	created                        int64
}

type sessionStore struct {
	mu   sync.Mutex
	byID map[string]*session
	seq  int64
}

func newSessionStore() *sessionStore { return &sessionStore{byID: map[string]*session{}} }

func (st *sessionStore) byPath(p string) *session {
	for _, s := range st.byID {
		if s.Path == p {
			return s
		}
	}
	return nil
}

// removeKernel forgets the sessions of a kernel that was shut down.
func (st *sessionStore) removeKernel(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for sid, s := range st.byID {
		if s.KernelID == id {
			delete(st.byID, sid)
		}
	}
}

// pruneSessions forgets the sessions whose kernel is gone (culled, shut
// down through another session), as jupyter_server does when it
// reads them: a session never points at no kernel.
func (s *Server) pruneSessions() {
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	for sid, se := range s.sessions.byID {
		if _, err := s.mgr.Get(se.KernelID); err != nil {
			delete(s.sessions.byID, sid)
		}
	}
}

func (s *Server) sessionModel(se *session) map[string]any {
	var kernel any
	if k, err := s.mgr.Get(se.KernelID); err == nil {
		kernel = k.Model()
	}
	return map[string]any{
		"id": se.ID, "path": se.Path, "name": se.Name, "type": se.Type, "kernel": kernel,
		"notebook": map[string]string{"path": se.Path, "name": se.Name},
	}
}

// sessionRequest is the body of POST and PATCH /api/sessions.
type sessionRequest struct {
	Path   *string `json:"path"`
	Name   *string `json:"name"`
	Type   *string `json:"type"`
	Kernel *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"kernel"`
	Notebook *struct {
		Path string `json:"path"`
	} `json:"notebook"`
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) {
	s.pruneSessions()
	s.sessions.mu.Lock()
	list := make([]*session, 0, len(s.sessions.byID))
	for _, se := range s.sessions.byID {
		list = append(list, se)
	}
	s.sessions.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].created < list[j].created })
	out := make([]map[string]any, len(list))
	for i, se := range list {
		out[i] = s.sessionModel(se)
	}
	s.reply(w, http.StatusOK, out)
}

// kernelFor returns the kernel a session request names: an existing id, or
// a new kernel of the given name, started in the folder of the session's
// path (as jupyter_server's cwd_for_path).
func (s *Server) kernelFor(ctx context.Context, req *sessionRequest) (string, error) {
	if req.Kernel.ID != "" {
		k, err := s.mgr.Get(req.Kernel.ID)
		if err != nil {
			return "", err
		}
		return k.ID, nil
	}
	opt := kernels.StartOptions{Name: req.Kernel.Name}
	if req.Path != nil {
		opt.Dir = s.files.DirOf(*req.Path)
	}
	k, err := s.mgr.StartWith(ctx, opt)
	if err != nil {
		return "", err
	}
	return k.ID, nil
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	var req sessionRequest
	if !s.readBody(w, r, &req) {
		return
	}
	if req.Path == nil && req.Notebook != nil {
		req.Path = &req.Notebook.Path
	}
	switch {
	case req.Path == nil:
		s.fail(w, http.StatusBadRequest, "no path given")
		return
	case req.Type == nil && req.Notebook == nil:
		s.fail(w, http.StatusBadRequest, "no type given")
		return
	case req.Kernel == nil:
		s.fail(w, http.StatusBadRequest, "no kernel name or id given")
		return
	}
	s.pruneSessions()
	s.sessions.mu.Lock()
	existing := s.sessions.byPath(*req.Path)
	s.sessions.mu.Unlock()
	if existing != nil {
		w.Header().Set("Location", "/api/sessions/"+existing.ID)
		s.reply(w, http.StatusCreated, s.sessionModel(existing))
		return
	}
	kid, err := s.kernelFor(r.Context(), &req)
	if err != nil {
		s.kernelError(w, err)
		return
	}
	se := &session{ID: jupyter.NewID(), Path: *req.Path, Name: path.Base(*req.Path), Type: "notebook", KernelID: kid}
	if req.Name != nil {
		se.Name = *req.Name
	}
	if req.Type != nil {
		se.Type = *req.Type
	}
	s.sessions.mu.Lock()
	s.sessions.seq++
	se.created = s.sessions.seq
	s.sessions.byID[se.ID] = se
	s.sessions.mu.Unlock()
	w.Header().Set("Location", "/api/sessions/"+se.ID)
	s.reply(w, http.StatusCreated, s.sessionModel(se))
}

func (s *Server) lookupSession(w http.ResponseWriter, r *http.Request) *session {
	s.pruneSessions()
	s.sessions.mu.Lock()
	se := s.sessions.byID[r.PathValue("id")]
	s.sessions.mu.Unlock()
	if se == nil {
		s.fail(w, http.StatusNotFound, "no such session: "+r.PathValue("id"))
	}
	return se
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	if se := s.lookupSession(w, r); se != nil {
		s.reply(w, http.StatusOK, s.sessionModel(se))
	}
}

func (s *Server) patchSession(w http.ResponseWriter, r *http.Request) {
	se := s.lookupSession(w, r)
	if se == nil {
		return
	}
	var req sessionRequest
	if !s.readBody(w, r, &req) {
		return
	}
	if req.Kernel != nil {
		if req.Path == nil {
			s.sessions.mu.Lock()
			p := se.Path
			s.sessions.mu.Unlock()
			req.Path = &p
		}
		kid, err := s.kernelFor(r.Context(), &req)
		if err != nil {
			s.kernelError(w, err)
			return
		}
		s.sessions.mu.Lock()
		old := se.KernelID
		se.KernelID = kid
		s.sessions.mu.Unlock()
		if old != kid {
			s.mgr.Shutdown(r.Context(), old)
		}
	}
	s.sessions.mu.Lock()
	if req.Path != nil {
		se.Path = *req.Path
	}
	if req.Name != nil {
		se.Name = *req.Name
	}
	if req.Type != nil {
		se.Type = *req.Type
	}
	s.sessions.mu.Unlock()
	s.reply(w, http.StatusOK, s.sessionModel(se))
}

func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) {
	se := s.lookupSession(w, r)
	if se == nil {
		return
	}
	s.sessions.mu.Lock()
	delete(s.sessions.byID, se.ID)
	s.sessions.mu.Unlock()
	s.mgr.Shutdown(r.Context(), se.KernelID)
	w.WriteHeader(http.StatusNoContent)
}

// renamed moves the sessions of a renamed file (or of files under a renamed
// folder) to the new path, as jupyter_server does.
func (st *sessionStore) renamed(from, to string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, se := range st.byID {
		switch {
		case se.Path == from:
			se.Path, se.Name = to, path.Base(to)
		case strings.HasPrefix(se.Path, from+"/"):
			se.Path = to + strings.TrimPrefix(se.Path, from)
		}
	}
}
