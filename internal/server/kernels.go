package server

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"strings"

	"nmfkernel/internal/kernels"
	"nmfkernel/internal/kernelspec"
)

func (s *Server) kernelspecs(w http.ResponseWriter, r *http.Request) {
	name := s.mgr.KernelName()
	resources := map[string]string{}
	for _, size := range kernelspec.LogoSizes {
		key := fmt.Sprintf("logo-%dx%d", size, size)
		resources[key] = "/kernelspecs/" + name + "/" + key + ".png"
	}
	spec := kernelspec.Spec(s.mgr.Command()[0])
	s.reply(w, http.StatusOK, map[string]any{
		"default":     name,
		"kernelspecs": map[string]any{name: map[string]any{"name": name, "spec": spec, "resources": resources}},
	})
}

func (s *Server) kernelspecResource(w http.ResponseWriter, r *http.Request) {
	var size int
	for _, sz := range kernelspec.LogoSizes {
		if r.PathValue("file") == fmt.Sprintf("logo-%dx%d.png", sz, sz) {
			size = sz
		}
	}
	if r.PathValue("name") != s.mgr.KernelName() || size == 0 {
		s.fail(w, http.StatusNotFound, "no such kernelspec resource")
		return
	}
	var b bytes.Buffer
	png.Encode(&b, kernelspec.Logo(size))
	w.Header().Set("Content-Type", "image/png")
	w.Write(b.Bytes())
}

// kernelError maps manager errors to status codes.
func (s *Server) kernelError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, kernels.ErrNoKernel):
		s.fail(w, http.StatusNotFound, err.Error())
	case errors.Is(err, kernels.ErrUnknownName):
		s.fail(w, http.StatusNotFound, err.Error())
	case errors.Is(err, kernels.ErrManagerClosed):
		s.fail(w, http.StatusServiceUnavailable, err.Error())
	default:
		s.fail(w, http.StatusInternalServerError, err.Error())
	}
}

func (s *Server) listKernels(w http.ResponseWriter, r *http.Request) {
	s.reply(w, http.StatusOK, s.mgr.List())
}

func (s *Server) startKernel(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string            `json:"name"`
		Path string            `json:"path"`
		Env  map[string]string `json:"env"`
	}
	if !s.readBody(w, r, &body) {
		return
	}
	opt := kernels.StartOptions{Name: body.Name}
	if body.Path != "" {
		opt.Dir = s.files.DirOf(body.Path)
	}
	for name, value := range body.Env {
		// Enterprise Gateway's rule: the client's KERNEL_ variables
		// reach the kernel.
		if strings.HasPrefix(name, "KERNEL_") {
			opt.Env = append(opt.Env, name+"="+value)
		}
	}
	if wd := body.Env["KERNEL_WORKING_DIR"]; wd != "" {
		dir, err := s.files.WorkingDir(wd)
		if err != nil {
			s.contentsError(w, err)
			return
		}
		opt.Dir = dir
	}
	k, err := s.mgr.StartWith(r.Context(), opt)
	if err != nil {
		s.kernelError(w, err)
		return
	}
	s.log.Printf("started kernel %s", k.ID)
	w.Header().Set("Location", s.url("api/kernels/"+k.ID))
	s.reply(w, http.StatusCreated, k.Model())
}

func (s *Server) getKernel(w http.ResponseWriter, r *http.Request) {
	k, err := s.mgr.Get(r.PathValue("id"))
	if err != nil {
		s.kernelError(w, err)
		return
	}
	s.reply(w, http.StatusOK, k.Model())
}

func (s *Server) deleteKernel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.mgr.Shutdown(r.Context(), id); err != nil {
		s.kernelError(w, err)
		return
	}
	s.sessions.removeKernel(id)
	s.log.Printf("shut down kernel %s", id)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) interruptKernel(w http.ResponseWriter, r *http.Request) {
	if err := s.mgr.Interrupt(r.PathValue("id")); err != nil {
		s.kernelError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) restartKernel(w http.ResponseWriter, r *http.Request) {
	k, err := s.mgr.Restart(r.Context(), r.PathValue("id"))
	if err != nil {
		s.kernelError(w, err)
		return
	}
	s.reply(w, http.StatusOK, k.Model())
}
