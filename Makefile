# heycmo — the commands a newcomer needs. `make run` and `make test` work on a fresh machine.

CARGO ?= cargo
DB ?= heycmo.db
BIND ?= 127.0.0.1:8080

.PHONY: run install dist test unit venv conformance schemathesis schemas bench lint fmt clean

## Build (release) and start the server on an embedded SQLite file; prints the local key once.
run:
	$(CARGO) run --release --locked -- serve --db $(DB) --bind $(BIND)

## Put `heycmo` on the PATH (~/.cargo/bin), as the README's commands and client snippets call it.
install:
	$(CARGO) install --path . --locked

## The whole-program-optimised build that benchmarks and release artefacts use (target/dist/).
dist:
	$(CARGO) build --profile dist --locked

## Everything CI runs: formatting, lints, unit and integration tests, the MCP conformance suite,
## schemathesis against the OpenAPI document.
test: lint unit conformance schemathesis

unit: venv
	$(CARGO) test --locked --all-targets

## The Python the examples' test runs examples/python_client.py with (the SDK pinned in
## examples/requirements.txt), made once.
venv: examples/.venv/bin/python

examples/.venv/bin/python: examples/requirements.txt
	python3 -m venv examples/.venv
	examples/.venv/bin/pip install --quiet --disable-pip-version-check -r examples/requirements.txt
	touch $@

## The official MCP conformance suite against heycmo and against examples/conformance_server.rs.
conformance:
	bash tests/conformance/run.sh

## Schemathesis against /openapi.json (pinned in tests/schemathesis/requirements.txt): every
## operation with valid and invalid data, about five minutes; settings and the operations left
## out in tests/schemathesis/schemathesis.toml.
schemathesis:
	bash tests/schemathesis/run.sh

## Regenerate schemas/ and server-card/ from the registry (commit the result).
schemas:
	$(CARGO) run --locked --quiet -- export --out .

## Benchmarks, see BENCHMARKS.md: the MCP load test (heycmo against a bare rmcp server, and the
## analytics collector's ingestion), the audit speed, the job engine's and webhook deliveries'
## throughput, the analytics reads (criterion), and the dashboard's pages on a large account.
bench:
	$(CARGO) build --profile dist --locked --bins --examples
	taskset -c 1 target/dist/examples/loadgen
	$(CARGO) bench --profile dist --locked --bench audit
	$(CARGO) bench --profile dist --locked --bench jobs
	$(CARGO) bench --profile dist --locked --bench analytics
	$(CARGO) bench --profile dist --locked --bench leads
	$(CARGO) bench --profile dist --locked --bench dashboard

## `cargo fmt` reaches only the modules it can see; the tools are included by build.rs, so every
## Rust file the repository tracks is checked by name as well.
lint:
	$(CARGO) fmt --check
	rustfmt --check --edition 2024 $$(git ls-files '*.rs')
	$(CARGO) clippy --locked --all-targets -- -D warnings

fmt:
	$(CARGO) fmt
	rustfmt --edition 2024 $$(git ls-files '*.rs')

clean:
	$(CARGO) clean
	rm -rf tests/conformance/node_modules examples/.venv
