# The two Quick start commands: `make demo` (the main job on the embedded default) and `make test`.
# Each does its own set-up: Debian packages the tests use, then `npm ci` (which brings Node 24).
.PHONY: demo test lint bench deps

node_modules/.installed: package-lock.json
	npm ci
	touch $@

deps: node_modules/.installed

demo: deps
	npm run demo

test: deps
	bash scripts/install-test-tools.sh
	npm test

lint: deps
	npm run lint

bench: deps
	bash scripts/install-test-tools.sh bench
	npm run bench
