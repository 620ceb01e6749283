# php-rasp: build, demo and test entry points. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
PHP ?= php8.2
EXT := $(or $(CARGO_TARGET_DIR),target)/release/librasp.so

.PHONY: all deps deps-test build demo demo-stop test test-rust test-plugin test-phpt test-compat test-fpm test-agent test-logship lint fmt clean measure bench \
	install uninstall test-types test-docker-lint test-quickstart

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
	$(MAKE) --no-print-directory test-rust test-plugin test-phpt test-compat test-fpm test-agent test-logship \
	  test-types test-docker-lint test-quickstart test-reliability

# The extension's unit-test binary links libnode without the cdylib's rpath:
# it runs against the unpacked copy (RASP_LIBNODE_PREFIX, as rasp-v8's build).
LIBNODE_LIBDIR := $(or $(RASP_LIBNODE_PREFIX),$(CURDIR)/.deps/libnode)/usr/lib/$(shell uname -m)-linux-gnu

test-rust:
	LD_LIBRARY_PATH=$(LIBNODE_LIBDIR)$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH} $(CARGO) test --release --workspace

# Plugin unit tests: the JSON fixtures of plugins/official/tests judged by the
# official plugin in V8, without PHP (`rasp plugin test`, docs/plugin-api.md).
test-plugin:
	$(CARGO) run --release -q -p rasp-cli -- plugin test --quiet plugins/official/tests

test-phpt:
	php-tests/run-phpt.sh $(EXT)

# PHP behaves the same with the extension loaded (plugin that ignores everything).
test-compat:
	php-tests/compat/run.sh $(EXT)

test-fpm:
	php-tests/fpm/run.sh $(EXT) master
	php-tests/fpm/run.sh $(EXT) pool

# Hot reload under load, agent restart after kill -9, polling fallback, clean stop.
test-agent:
	php-tests/agent/run.sh $(EXT) 20 8

# Alarms shipped to a real rsyslog over TCP and UDP, with a collector outage.
test-logship:
	php-tests/logship/run.sh $(EXT) 1000 500

# Plugin API typings: plugins/official/plugin.js and the examples in
# plugins/types/test type-checked against plugins/types/rasp.d.ts (tsc --checkJs).
test-types:
	cd plugins/types && npm ci --no-audit --no-fund --loglevel=error && node check.js

# docker/: the Dockerfile follows scripts/setup-deps.sh, compose.yml has its services.
test-docker-lint:
	RASP_BIN=$(dir $(EXT))rasp docker/lint.sh

# docs/quickstart.md performed on this machine in a temporary prefix: make install,
# php-fpm + nginx, an attack blocked, a one-rule plugin tested and hot-reloaded, uninstall.
test-quickstart:
	EXT=$(EXT) php-tests/quickstart/run.sh

# Installs the built extension into PHP (extension_dir, mods-available/rasp.ini and
# conf.d links for cli and fpm), libnode into /usr/local/lib/php-rasp, the `rasp`
# command, and a root dir /var/lib/php-rasp. Overrides (DESTDIR, PREFIX,
# EXTENSION_DIR, ROOT_DIR, FPM_USER, ...): scripts/install.sh and docs/install.md.
install:
	EXT=$(EXT) scripts/install.sh install

# Removes what `make install` added (its manifest); PURGE=1 also removes logs.
uninstall:
	scripts/install.sh uninstall

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

# Detection rate and false positives against ../shared/e2e (optional, needs the corpus).
measure: build
	scripts/e2e/run-measure.sh

# Benchmarks against bare PHP in the same run: WordPress and an SQL endpoint
# under wrk (with/without the extension, alternating), RSS per worker, hooked
# call cost, V8/tokenizer/whitelist micro-benchmarks. Writes bench/results/,
# the tables of docs/benchmarks.md and its plots. Not part of `make test`.
bench: deps
	bench/run.sh all

# Reliability (docs/reliability.md): every fault (plugin throws, loops, eats
# the heap, returns garbage; broken root dir, corrupt shared memory, log dir
# not writable, collector down, agent killed ...), hostile input at full size
# (50 MB body, 100k parameters, 10k-deep JSON, NUL/invalid UTF-8 everywhere)
# measured against PHP without the extension, a 30000-request php-fpm soak
# with its memory plot, valgrind on a .phpt subset. About 30 minutes; not
# part of `make test`. Fuzzing is separate: fuzz/run.sh SECONDS.
.PHONY: reliability reliability-short test-reliability
reliability: deps-test
	$(CARGO) build --release -p rasp-ext
	php-tests/reliability/run.sh $(EXT)

# The CI version: every fault once, hostile input at reduced size, a
# 2000-request soak, the regression .phpt; no valgrind (about 5 minutes).
reliability-short: deps-test
	$(CARGO) build --release -p rasp-ext
	$(MAKE) --no-print-directory test-reliability

test-reliability:
	php-tests/reliability/run.sh $(EXT) --short

clean:
	$(CARGO) clean
