// Command hello is built by the gobinary tests to get a real Go binary
// with a module dependency.
package main

import (
	"fmt"

	"github.com/package-url/packageurl-go"
)

func main() {
	fmt.Println(packageurl.NewPackageURL("golang", "example.com", "hello", "v1.0.0", nil, "").ToString())
}
