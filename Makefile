# Gatehouse — the two commands: `make run` and `make test`.
# Every target installs what it needs first (see .ci/install-tools.sh).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(HOME)/.cargo/bin:$(PATH)
# Build output lives outside the checkout so every clone on this machine shares it.
export CARGO_TARGET_DIR ?= /var/tmp/gatehouse-target
BIN := $(CARGO_TARGET_DIR)/release/gatehouse
SITE := $(CURDIR)/target/site
RUN_ENV := LEPTOS_SITE_ROOT=$(SITE) LEPTOS_OUTPUT_NAME=gatehouse LEPTOS_SITE_PKG_DIR=pkg

.PHONY: run test build tools tools-test lint unit integration e2e bench load lighthouse scan api-fuzz scim-test replicas replicas-test e2e-replicas trunk-build trunk-run clean-data

## Serve the app on the embedded SQLite database (./data/gatehouse.db).
run: tools build
	$(RUN_ENV) $(BIN) serve

## Run every test: lint, unit, integration on SQLite and PostgreSQL, Playwright,
## Schemathesis against the /v1 API, scim2-tester against /scim/v2, and two replicas
## on PostgreSQL behind nginx (driven by a script, then the whole Playwright suite).
test: tools-test lint unit integration build e2e api-fuzz scim-test replicas-test e2e-replicas
	@echo "make test: all suites passed"

tools:
	.ci/install-tools.sh build

tools-test:
	.ci/install-tools.sh test

## Release build of the server and the hydrated WASM client (target/site), with
## hashed file names and brotli and gzip copies of every static file.
build: tools
	cargo leptos build --release --precompress

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

## Domain and service unit tests (pure Rust, no database server).
unit:
	cargo test -p app --features ssr

## Service and router tests, each on a fresh SQLite file and a fresh PostgreSQL database.
integration:
	url=$$(.ci/postgres.sh start); \
	GATEHOUSE_TEST_POSTGRES_URL=$$url cargo test -p server

## Playwright end-to-end, hydrated and with JavaScript off.
e2e:
	.ci/e2e.sh

## Two replicas on one PostgreSQL database behind nginx (deploy/nginx.conf) on
## http://127.0.0.1:8080, until Ctrl-C.
replicas: build
	.ci/install-tools.sh replicas
	.ci/replicas-serve.sh

## The replicas driven directly and through nginx: shared sessions, sign-out, lockout
## and per-IP limits, seats under parallel invitations, mail sent exactly once, reads
## after writes, concurrent first start, readiness, SIGTERM (about a minute).
replicas-test: build
	.ci/install-tools.sh replicas
	.ci/replicas-test.sh

## The Playwright suite once through nginx in front of two replicas on PostgreSQL
## (about 4 minutes; it caught pages that hydrated on SQLite but not on PostgreSQL).
e2e-replicas: build
	.ci/install-tools.sh replicas
	.ci/e2e-replicas.sh

## Speed figures for the Users table at 100,000 members, sign-in, the check API and
## CSV export and import
## (printed, never asserted).
bench: tools-test
	url=$$(.ci/postgres.sh start); \
	GATEHOUSE_TEST_POSTGRES_URL=$$url cargo bench --profile benchmark -p server --bench members --bench sign_in --bench check --bench provisioning

## Requests per second and latency of the release server at 100,000 members next to an
## axum hello world, sign-ins under load and peak RSS; then list_members on PostgreSQL
## directly, through nginx with one replica and with two (printed; not in `make test`).
load: build
	.ci/install-tools.sh load
	.ci/install-tools.sh replicas
	cargo build --profile benchmark -p server --example hello --example argon2_verify
	.ci/load.sh
	.ci/load-replicas.sh

## Lighthouse scores (mobile) of /sign-in, /settings/users and /account on the release
## build (npm lighthouse, Debian's chromium; printed, not part of `make test`).
lighthouse: build
	.ci/install-tools.sh test
	# npm install, not npm ci: a dependency of lighthouse asks for "latest" of two packages,
	# which npm ci never finds in the lock file.
	cd .ci/lighthouse && npm install --no-audit --no-fund --silent
	.ci/lighthouse.sh

## Schemathesis against the /v1 OpenAPI document with an API key: no 5xx, no response
## outside the document (uses the release build; about 15 s, so part of `make test`).
api-fuzz: build
	.ci/install-tools.sh fuzz
	.ci/api-fuzz.sh

## scim2-tester (PyPI) against /scim/v2 with a scim key: prints each check and how
## many pass (uses the release build; a few seconds, so part of `make test`).
scim-test: build
	.ci/install-tools.sh scim
	.ci/scim-test.sh

## sqlmap against every server function, signed in (uses the release build; not part of `make test`).
scan: build
	.ci/scan.sh

## The optional Trunk build of the client bundle (not part of `make test`).
trunk-build: tools
	command -v trunk >/dev/null || cargo install --locked trunk --version 0.21.14
	trunk build --release --offline
	cp -r public/. trunk-dist/
	# Pages ask for the stylesheet under the bundle's output name.
	cp trunk-dist/pkg/gatehouse.css trunk-dist/pkg/frontend.css

## Serve the app with the Trunk-built client bundle.
trunk-run: trunk-build
	cargo leptos build --release
	LEPTOS_SITE_ROOT=$(CURDIR)/trunk-dist LEPTOS_OUTPUT_NAME=frontend LEPTOS_SITE_PKG_DIR=pkg LEPTOS_HASH_FILES=false $(BIN) serve

clean-data:
	rm -rf data
