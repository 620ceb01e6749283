# php-rasp: build, demo and test entry points. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
PHP ?= php8.2
EXT := target/release/librasp.so

.PHONY: all deps deps-test build demo demo-stop test test-rust test-plugin test-phpt test-fpm test-agent test-logship lint fmt clean measure

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
	$(MAKE) --no-print-directory test-rust test-plugin test-phpt test-fpm test-agent test-logship

test-rust:
	$(CARGO) test --release --workspace

# Plugin unit tests: the JSON fixtures of plugins/official/tests judged by the
# official plugin in V8, without PHP (`rasp plugin test`, docs/plugin-api.md).
test-plugin:
	$(CARGO) run --release -q -p rasp-cli -- plugin test --quiet plugins/official/tests

test-phpt:
	php-tests/run-phpt.sh $(EXT)

test-fpm:
	php-tests/fpm/run.sh $(EXT)

# Hot reload under load, agent restart after kill -9, polling fallback, clean stop.
test-agent:
	php-tests/agent/run.sh $(EXT) 20 8

# Alarms shipped to a real rsyslog over TCP and UDP, with a collector outage.
test-logship:
	php-tests/logship/run.sh $(EXT) 1000 500

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
