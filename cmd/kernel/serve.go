package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"nmfkernel/internal/hub"
	"nmfkernel/internal/kernels"
	"nmfkernel/internal/server"
)

// serveToken chooses the token: --token, else the contents of
// --token-file, else $JUPYTER_TOKEN, else "" (the server makes a random
// one). given reports whether the user supplied it.
func serveToken(flagToken, file, env string) (token string, given bool, err error) {
	switch {
	case flagToken != "":
		return flagToken, true, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", false, fmt.Errorf("read the token: %w", err)
		}
		t := strings.TrimSpace(string(b))
		if t == "" {
			return "", false, fmt.Errorf("the token file %s is empty", file)
		}
		return t, true, nil
	case env != "":
		return env, true, nil
	}
	return "", false, nil
}

// runServe implements "kernel serve": jupyter_server's kernel API on
// loopback, each kernel in its own process.
func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8888", "listen address")
	token := fs.String("token", "", "token clients must present (default: --token-file, then $JUPYTER_TOKEN, else a random one, printed in the URL); other local users can read it in the process list, which --token-file and $JUPYTER_TOKEN avoid")
	tokenFile := fs.String("token-file", "", "read the token from this file")
	root := fs.String("root", ".", "the folder the app and the contents API serve; a notebook's kernel runs in the notebook's folder")
	allowOrigin := fs.String("allow-origin", "", "comma-separated origins (or *) also allowed to open websockets and change state")
	allowRemote := fs.Bool("allow-remote", false, "accept Host headers other than loopback names and the bound address")
	deleteToTrash := fs.Bool("delete-to-trash", true, "move what the contents API deletes to your trash (freedesktop.org); with false, delete files for good and refuse folders that hold anything")
	cull := fs.Duration("cull-idle", 0, "shut down kernels idle with no connection for this long (0: never)")
	maxMsg := fs.Int64("max-message-size", 64<<20, "largest websocket message accepted, in bytes")
	baseURL := fs.String("base-url", "/", "the URL prefix every page, API route and cookie lives under (e.g. /notebooks/ behind a reverse proxy)")
	hubMode := fs.Bool("hub", false, "run as JupyterHub's single-user server: listen, serve and log users in as the hub's spawner says in its JUPYTERHUB_* environment (see docs/jupyterhub.md)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "kernel serve:", err)
		return 1
	}
	logger := log.New(stderr, "serve: ", log.LstdFlags)
	opt := server.Options{
		Addr: *addr, Root: *root, Version: version, BaseURL: *baseURL, AllowOrigin: *allowOrigin, AllowRemote: *allowRemote, MaxMessageSize: *maxMsg, PermanentDelete: !*deleteToTrash,
		Kernels: kernels.Options{Command: []string{exe, "jupyter"}, CullIdle: *cull}, Log: logger,
	}
	given := false
	var hubClient *hub.Client
	if *hubMode {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for _, name := range []string{"token", "token-file", "base-url", "addr"} {
			if set[name] {
				fmt.Fprintf(stderr, "kernel serve --hub: --%s is the hub's to choose (JUPYTERHUB_* environment)\n", name)
				return 2
			}
		}
		cfg, err := hub.FromEnv(os.Getenv)
		if err != nil {
			fmt.Fprintln(stderr, "kernel serve --hub:", err)
			return 2
		}
		hubClient = hub.NewClient(cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = hubClient.Connect(ctx)
		cancel()
		if err != nil {
			fmt.Fprintln(stderr, "kernel serve --hub:", err)
			return 1
		}
		logger.Printf("JupyterHub %s at %s; serving user %s under %s", hubClient.Version(), cfg.APIURL, cfg.User, cfg.ServicePrefix)
		opt.Hub, opt.Addr, opt.BaseURL = hubClient, cfg.ListenAddr(), cfg.ServicePrefix
		if cfg.RootDir != "" && !set["root"] {
			opt.Root = cfg.RootDir
		}
	} else {
		opt.Token, given, err = serveToken(*token, *tokenFile, os.Getenv("JUPYTER_TOKEN"))
		if err != nil {
			fmt.Fprintln(stderr, "kernel serve:", err)
			return 2
		}
	}
	s, err := server.New(opt)
	if err != nil {
		fmt.Fprintln(stderr, "kernel serve:", err)
		return 1
	}
	url, err := s.Listen()
	if err != nil {
		fmt.Fprintln(stderr, "kernel serve:", err)
		return 1
	}
	if given {
		// The user has the token: it is not printed.
		url = strings.SplitN(url, "?", 2)[0]
	}
	abs, _ := filepath.Abs(opt.Root)
	fmt.Fprintf(stdout, "nmfkernel %s serving the notebooks in %s (and the Jupyter server API) at\n    %s\n", version, abs, url)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if hubClient != nil {
		go hubClient.KeepActivityUpdated(ctx, s.LastActivity, logger.Printf)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve() }()
	select {
	case err := <-errc:
		if err != nil {
			fmt.Fprintln(stderr, "kernel serve:", err)
			return 1
		}
	case <-ctx.Done():
		logger.Print("shutting down: stopping kernels")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := s.Shutdown(sctx); err != nil {
			fmt.Fprintln(stderr, "kernel serve:", err)
			return 1
		}
	}
	return 0
}
