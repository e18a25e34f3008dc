package mobydocker

import "context"

// UseRmHelper makes the next removals find the helper as if this program
// were the file self returns and the go command were goCmd, with no helper
// found before; the returned func puts things back.
func UseRmHelper(self func() (string, error), goCmd string) (restore func()) {
	rmHelpers.Lock()
	oldSelf, oldGo, oldBins := selfExecutable, goCommand, rmHelpers.bins
	selfExecutable, goCommand, rmHelpers.bins = self, goCmd, nil
	rmHelpers.Unlock()
	return func() {
		rmHelpers.Lock()
		selfExecutable, goCommand, rmHelpers.bins = oldSelf, oldGo, oldBins
		rmHelpers.Unlock()
	}
}

// SelfHelper is selfHelper, for the tests.
func SelfHelper(arch string) (string, bool) { return selfHelper(arch) }

// BuildRmHelper builds the standalone helper into file with the go toolchain.
func BuildRmHelper(ctx context.Context, arch, file string) error {
	return buildRmHelper(ctx, arch, file)
}
