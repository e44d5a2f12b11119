// compose-validate loads a Compose file the way Docker Compose does (compose-go: schema validation, interpolation,
// normalization) and exits non-zero naming the problem. Usage: compose-validate <compose.yml> [KEY=VALUE...]
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-validate <compose.yml> [KEY=VALUE...]")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	env := map[string]string{}
	for _, pair := range os.Args[2:] {
		key, value, _ := strings.Cut(pair, "=")
		env[key] = value
	}
	options, err := cli.NewProjectOptions([]string{file}, cli.WithWorkingDirectory(filepath.Dir(file)), cli.WithEnv(mapToList(env)), cli.WithName("as2-partners"))
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	fmt.Printf("%s: valid, services %s\n", os.Args[1], strings.Join(project.ServiceNames(), ","))
}

func mapToList(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for key, value := range env {
		list = append(list, key+"="+value)
	}
	return list
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose-validate: %v\n", err)
	os.Exit(1)
}
