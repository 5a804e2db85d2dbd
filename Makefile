# The course's commands. Every target creates the virtual environment if it is missing.
#   make book     build the website into _build/html
#   make test     run the whole test suite
#   make release  regenerate chapters/ from solutions/
#   make grade    autograde everything under autograde/submitted/
#   make samples  copy the bundled sample submissions into autograde/submitted/
#   make bench    time notebooks, autograding and book builds
#   make check CHAPTER=04_bptt   release, validate and grade the samples of one chapter (while writing it)
#   make bundle   the learner wheel and the student bundle, into _build/downloads/
#   make grade-mine NOTEBOOK=chapters/03_rnn/03_rnn.ipynb   self-study: grade your own notebook

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# nbgrader calls alembic by name, so the venv's bin/ must be on PATH.
RUN := PATH="$(CURDIR)/$(BIN):$$PATH" OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: venv book test release grade grade-mine bundle samples bench check system clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml learner/pyproject.toml learner/seqcourse/__init__.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e ./learner -e .
	touch $@

book: venv
	$(RUN) $(BIN)/jupyter-book build . -W -n --keep-going

release: venv
	$(RUN) $(BIN)/python -m instructor release

grade: venv system
	$(RUN) $(BIN)/python -m instructor grade $(GRADE_OPTIONS)

grade-mine: venv system
	$(RUN) $(BIN)/python -m instructor grade-mine $(NOTEBOOK)

bundle: venv
	$(RUN) $(BIN)/python -m instructor bundle

samples: venv
	$(RUN) $(BIN)/python -m instructor samples

bench: venv
	$(RUN) $(BIN)/python -m instructor.bench

check: venv
	$(RUN) $(BIN)/python -m instructor.check $(CHAPTER)

# Debian packages the grader and the tests use (root or sudo needed once): bubblewrap (the grading
# sandbox), Chromium and its driver (the browser tests), PostgreSQL (the gradebook server test).
system:
	@command -v bwrap >/dev/null && command -v chromium >/dev/null && command -v chromedriver >/dev/null && \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq bubblewrap chromium chromium-driver postgresql >/dev/null; }

# pytest exits 5 when it collected no tests: that is a failure, not a pass.
test: venv system
	$(RUN) $(BIN)/python -m pytest; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

clean:
	rm -rf _build autograde/submitted autograde/autograded autograde/feedback \
	  autograde/grading-release autograde/gradebook.db autograde/grades.csv autograde/report.html
