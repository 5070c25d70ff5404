# Joist: `make run` sets everything up and runs a demo VM; `make test` runs the whole test suite.
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local

.PHONY: run test deps build release guest install bench clean

## Install Debian packages, build (release), start joistd and a demo VM, show its console.
run: release guest install
	@scripts/run-demo

## Install Debian packages, build, and run every test (unit and real-QEMU integration). The suites
## that boot the built Debian image (a whole TCG core each for minutes) run after the rest, on their
## own, so they do not starve the other guests' tests of their deadlines.
DEBIAN_SUITES := IntegrationTests\.(DebianImageTests|CloudGuestTests)
test: deps guest
	$(SWIFT) build --build-tests
	scripts/ui-vendor $$($(SWIFT) build --show-bin-path)/ui-vendor
	JOIST_BIN_DIR=$$($(SWIFT) build --show-bin-path) $(SWIFT) test --skip-build --skip '$(DEBIAN_SUITES)'
	JOIST_BIN_DIR=$$($(SWIFT) build --show-bin-path) $(SWIFT) test --skip-build --filter '$(DEBIAN_SUITES)'

## Debian packages Joist needs (QEMU, qemu-img, busybox, …).
deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build
	scripts/ui-vendor $$($(SWIFT) build --show-bin-path)/ui-vendor

release: deps
	$(SWIFT) build -c release
	scripts/ui-vendor $$($(SWIFT) build -c release --show-bin-path)/ui-vendor

## The test guest (Debian cloud kernel + busybox initramfs), built once into .cache/.
guest: deps
	@scripts/test-guest >/dev/null

## Install joist and joistd into $(PREFIX)/bin, and the web UI's third-party code (from Debian packages) into $(PREFIX)/share/joist.
install:
	install -m 0755 $$($(SWIFT) build -c release --show-bin-path)/joistd $(PREFIX)/bin/joistd
	install -m 0755 $$($(SWIFT) build -c release --show-bin-path)/joist $(PREFIX)/bin/joist
	scripts/ui-vendor $(PREFIX)/share/joist/ui-vendor

## Benchmarks (not tests): start latency vs raw QEMU, daemon memory, API throughput and latency, storage, networks, CLI start-up (`scripts/bench api|storage|network|cli` for one part alone).
bench: release guest
	@scripts/bench

clean:
	rm -rf .build .cache
