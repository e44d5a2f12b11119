// Command ferretdb runs FerretDB 1.x with its SQLite backend for local integration tests.
// It embeds the ferretdb package because `go install .../cmd/ferretdb` panics without build/version/version.txt.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/FerretDB/FerretDB/build/version"
	"github.com/FerretDB/FerretDB/ferretdb"
)

const ferretModule = "github.com/FerretDB/FerretDB"

// moduleVersion reads FerretDB's version from the build info, since an embedding build has no version.txt.
func moduleVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == ferretModule {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	sqliteDir := flag.String("sqlite-dir", "", "directory holding the SQLite databases (required)")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	exitOnStdinEOF := flag.Bool("exit-on-stdin-eof", false, "stop when standard input closes (the parent process died)")
	removeOnExit := flag.Bool("remove-sqlite-dir-on-exit", false, "delete --sqlite-dir when stopping (throwaway test data)")
	printVersion := flag.Bool("version", false, "print the FerretDB version and exit")
	flag.Parse()

	if *printVersion {
		fmt.Println(moduleVersion())
		return
	}

	if *sqliteDir == "" {
		fmt.Fprintln(os.Stderr, "ferretdb: --sqlite-dir is required")
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: --log-level: %s\n", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// The SQLite backend wants a directory URI with a trailing slash.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + *sqliteDir + "/",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %s\n", err)
		os.Exit(1)
	}

	// buildInfo reports this version to clients instead of "unknown"
	version.Get().Version = moduleVersion()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *exitOnStdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	runErr := f.Run(ctx)

	if *removeOnExit {
		if err := os.RemoveAll(*sqliteDir); err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb: removing %s: %s\n", *sqliteDir, err)
		}
	}

	if runErr != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %s\n", runErr)
		os.Exit(1)
	}
}
