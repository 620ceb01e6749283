# php-rasp: build, demo and test entry points. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
PHP ?= php8.2
EXT := target/release/librasp.so

.PHONY: all deps deps-test build demo demo-stop test test-rust test-phpt test-fpm lint fmt clean measure

all: build

deps:
	scripts/setup-deps.sh build

deps-test:
	scripts/setup-deps.sh test

# The extension (target/release/librasp.so) and the `rasp` command.
build: deps
	$(CARGO) build --release -p rasp-ext -p rasp-cli

# README's first command: a protected demo app on 127.0.0.1.
demo:
	scripts/setup-deps.sh demo
	$(CARGO) build --release -p rasp-ext -p rasp-cli
	scripts/demo.sh start

demo-stop:
	scripts/demo.sh stop

# README's second command: every test (installs what it needs).
test: deps-test
	$(CARGO) build --release -p rasp-ext -p rasp-cli
	$(MAKE) --no-print-directory test-rust test-phpt test-fpm

test-rust:
	$(CARGO) test --release --workspace

test-phpt:
	php-tests/run-phpt.sh $(EXT)

test-fpm:
	php-tests/fpm/run.sh $(EXT)

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

# Detection rate and false positives against ../shared/e2e (optional, needs the corpus).
measure: build
	scripts/e2e/run-measure.sh

clean:
	$(CARGO) clean
