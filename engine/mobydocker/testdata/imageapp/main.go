// Command imageapp is the program inside the images the image tests build
// FROM scratch, where there is no shell: RUN steps and containers call it.
//
//	imageapp check +/must/exist -/must/not/exist ...
//	imageapp fail N    prints N numbered lines, then exits 3
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: imageapp check|fail ...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "check":
		ok := true
		for _, arg := range os.Args[2:] {
			_, err := os.Stat(arg[1:])
			if exists := err == nil; exists != (arg[0] == '+') {
				fmt.Printf("check %s: exists=%v\n", arg, exists)
				ok = false
			}
		}
		if !ok {
			os.Exit(1)
		}
		fmt.Println("check ok")
	case "fail":
		n, _ := strconv.Atoi(os.Args[2])
		for i := 1; i <= n; i++ {
			fmt.Printf("output line %d\n", i)
		}
		os.Exit(3)
	}
}
