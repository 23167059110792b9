# Assay build targets. `make demo` runs the main job, `make test` the tests.
GO        ?= go
BIN       := bin/assay
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The offline data mirror: $ASSAY_MIRROR, else ../shared/vulndata when present,
# else the real online feeds.
MIRROR    ?= $(or $(ASSAY_MIRROR),$(if $(wildcard ../shared/vulndata),../shared/vulndata,))
export GOTOOLCHAIN := local

.PHONY: build test demo bench lint fuzz

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/assay

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	# Full-data checks that the race pass runs on a subset (see vulndb/race_test.go
	# and firmware/detect/internal/secretrules/race_test.go).
	$(GO) test -count=1 -run 'TestImportCountsMatchSources|TestQueries|TestBriefs|TestHeavyPackages' ./vulndb
	$(GO) test -count=1 ./firmware/detect/internal/secretrules
	FUZZTIME=$${FUZZTIME:-3s} ./scripts/fuzz-smoke.sh

demo: build
	./scripts/demo.sh $(BIN) "$(MIRROR)"

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

fuzz:
	FUZZTIME=$${FUZZTIME:-30s} ./scripts/fuzz-smoke.sh
