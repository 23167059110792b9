// Command hello is built by the tests as a Go binary inside a fixture
// image.
package main

import "fmt"

func main() { fmt.Println("hello") }
