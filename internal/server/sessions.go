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

// sessionStore holds the sessions. It hands out copies and changes its
// records only under its lock, so that requests that read a session and
// requests that change it never share one.
type sessionStore struct {
	mu   sync.Mutex
	byID map[string]*session
	seq  int64
}

func newSessionStore() *sessionStore { return &sessionStore{byID: map[string]*session{}} }

// get returns a copy of the session id.
func (st *sessionStore) get(id string) (session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	se, ok := st.byID[id]
	if !ok {
		return session{}, false
	}
	return *se, true
}

// findPath returns a copy of the session of the document at p.
func (st *sessionStore) findPath(p string) (session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, se := range st.byID {
		if se.Path == p {
			return *se, true
		}
	}
	return session{}, false
}

// all returns copies of the sessions in the order they were created.
func (st *sessionStore) all() []session {
	st.mu.Lock()
	list := make([]session, 0, len(st.byID))
	for _, se := range st.byID {
		list = append(list, *se)
	}
	st.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].created < list[j].created })
	return list
}

// add stores a new session and returns it as stored.
func (st *sessionStore) add(se session) session {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.seq++
	se.created = st.seq
	st.byID[se.ID] = &se
	return se
}

// update changes the session id under the lock and returns a copy of it
// after the change.
func (st *sessionStore) update(id string, change func(*session)) (session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	se, ok := st.byID[id]
	if !ok {
		return session{}, false
	}
	change(se)
	return *se, true
}

// remove forgets the session id.
func (st *sessionStore) remove(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.byID, id)
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

func (s *Server) sessionModel(se session) map[string]any {
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
	list := s.sessions.all()
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
	if existing, ok := s.sessions.findPath(*req.Path); ok {
		w.Header().Set("Location", s.url("api/sessions/"+existing.ID))
		s.reply(w, http.StatusCreated, s.sessionModel(existing))
		return
	}
	kid, err := s.kernelFor(r.Context(), &req)
	if err != nil {
		s.kernelError(w, err)
		return
	}
	se := session{ID: jupyter.NewID(), Path: *req.Path, Name: path.Base(*req.Path), Type: "notebook", KernelID: kid}
	if req.Name != nil {
		se.Name = *req.Name
	}
	if req.Type != nil {
		se.Type = *req.Type
	}
	se = s.sessions.add(se)
	w.Header().Set("Location", s.url("api/sessions/"+se.ID))
	s.reply(w, http.StatusCreated, s.sessionModel(se))
}

// lookupSession returns a copy of the request's session, or answers 404.
func (s *Server) lookupSession(w http.ResponseWriter, r *http.Request) (session, bool) {
	s.pruneSessions()
	se, ok := s.sessions.get(r.PathValue("id"))
	if !ok {
		s.fail(w, http.StatusNotFound, "no such session: "+r.PathValue("id"))
	}
	return se, ok
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	if se, ok := s.lookupSession(w, r); ok {
		s.reply(w, http.StatusOK, s.sessionModel(se))
	}
}

func (s *Server) patchSession(w http.ResponseWriter, r *http.Request) {
	se, ok := s.lookupSession(w, r)
	if !ok {
		return
	}
	var req sessionRequest
	if !s.readBody(w, r, &req) {
		return
	}
	if req.Kernel != nil {
		if req.Path == nil {
			p := se.Path
			req.Path = &p
		}
		kid, err := s.kernelFor(r.Context(), &req)
		if err != nil {
			s.kernelError(w, err)
			return
		}
		old := ""
		if _, ok := s.sessions.update(se.ID, func(x *session) { old, x.KernelID = x.KernelID, kid }); ok && old != kid {
			s.mgr.Shutdown(r.Context(), old)
		}
	}
	se, ok = s.sessions.update(se.ID, func(x *session) {
		if req.Path != nil {
			x.Path = *req.Path
		}
		if req.Name != nil {
			x.Name = *req.Name
		}
		if req.Type != nil {
			x.Type = *req.Type
		}
	})
	if !ok {
		s.fail(w, http.StatusNotFound, "no such session: "+r.PathValue("id"))
		return
	}
	s.reply(w, http.StatusOK, s.sessionModel(se))
}

func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) {
	se, ok := s.lookupSession(w, r)
	if !ok {
		return
	}
	s.sessions.remove(se.ID)
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
