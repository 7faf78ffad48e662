# Frontline: the two commands are `make run` and `make test`. Everything else here serves them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130
# Builds live outside the checkout so that every clone on this machine shares warm artifacts.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/frontline/target
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export DATABASE_URL ?= sqlite://data/frontline.db
ADDR ?= 127.0.0.1:3000
BIN := $(CARGO_TARGET_DIR)/release/frontline

.PHONY: help setup setup-test build run test bench bench-load fmt check

help:
	@echo "make run         install what is missing, build, migrate, seed the demo desk, serve on http://$(ADDR)"
	@echo "make test        install what is missing, then fmt, clippy, Rust tests, release build, Playwright"
	@echo "make bench       benchmarks (not part of make test)"
	@echo "make bench-load  a busy desk at 1M tickets: phases, spike, saturation (BENCH_LOAD_SIZE=10000 for a quick run)"

## Installs what the build needs; each step checks first, so a second run takes seconds.
setup:
	@scripts/setup.sh build

## What the tests need on top: Debian's Chromium for Playwright, Debian's PostgreSQL and Dovecot.
setup-test:
	@scripts/setup.sh test

build: setup
	scripts/build-release.sh

run: build
	$(BIN) migrate
	$(BIN) seed-demo
	$(BIN) serve --addr $(ADDR)

test: setup-test
	@FRONTLINE_BIN=$(BIN) scripts/test.sh

bench: build
	@FRONTLINE_BIN=$(BIN) scripts/bench.sh

bench-load: build
	@FRONTLINE_BIN=$(BIN) scripts/bench-load.sh

fmt:
	cargo fmt --all

check:
	cargo check -p server
	cargo check -p app --features hydrate --target wasm32-unknown-unknown
