# Two commands on a fresh machine:
#   make build   set up (virtualenv + package) and build every example clinic into site/
#   make test    set up (including Chromium for the browser tests) and run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test setup setup-test golden schema translations vendor-consent clean screenshots

$(BIN)/notices: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(BIN)/notices

# Compiled once, as pip leaves an installed package: where PYTHONDONTWRITEBYTECODE is set, every
# `notices` process would otherwise compile the package again (~0.1 s).
# The catalogs' .mo files are compiled here, not committed: a build refuses a .mo that is not compiled
# from the .po beside it, so a fresh checkout needs this step (it writes only what changed).
setup: $(BIN)/notices
	@$(BIN)/python -m compileall -q generator >/dev/null
	@$(BIN)/python -m generator.notices.translations --compile

# After editing templates or a .po: extract the templates' messages into templates/locale/messages.pot,
# merge them into every templates/locale/<lang>/LC_MESSAGES/messages.po and compile each to its .mo.
# Fails, naming them, while a message has no translation.
translations: $(BIN)/notices
	$(BIN)/python -m generator.notices.translations

build: setup
	$(BIN)/notices build

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
setup-test: setup
	@test -x /usr/bin/chromium || (echo "installing Debian's chromium for the browser tests" && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null)

test: setup-test
	$(BIN)/python -m pytest

# Regenerate the golden rendered notices in tests/golden/ after an intended template or data change.
golden: setup
	$(BIN)/python -m tests.golden

# Phone and desktop shots of every kind of page of every example, into screenshots/ (for review, not a test).
screenshots: setup-test
	$(BIN)/python -m scripts.screenshots

schema: setup
	$(BIN)/notices schema

# The consent manager's library (vanilla-cookieconsent), pinned in scripts/vendor-consent.sh: fetched
# with npm and committed, so that no build and no clinic website asks a CDN for it.
vendor-consent:
	sh scripts/vendor-consent.sh

clean:
	rm -rf site .pytest_cache
