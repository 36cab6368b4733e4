package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRESTErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "token good" {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"a valid token is required","reason":"Forbidden"}`))
			return
		}
		switch {
		case r.Method == "POST" && r.URL.Path == "/api/kernels":
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"id":"k1","name":"nmfkernel","execution_state":"idle","connections":0}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"no such kernel: x","reason":"Not Found"}`))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	if _, err := New(srv.URL+"/", "bad").StartKernel(ctx, ""); err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "a valid token is required") {
		t.Errorf("bad token: %v", err)
	}
	c := New(srv.URL+"/", "good")
	k, err := c.StartKernel(ctx, "")
	if err != nil || k.ID != "k1" || k.ExecutionState != "idle" {
		t.Errorf("StartKernel: %+v %v", k, err)
	}
	if err := c.Interrupt(ctx, "x"); err == nil || !strings.Contains(err.Error(), "no such kernel") {
		t.Errorf("Interrupt: %v", err)
	}
	if _, err := c.Connect(ctx, "x"); err == nil {
		t.Error("Connect to a server without websockets succeeded")
	}
}
