#!/usr/bin/env bash
# Set up from nothing and run the main job: validate the records, then build the data package.
#   - R and its CSV readers (Debian packages), so the tests can load the tables in R for real;
#     installed only where apt-get runs as root and R is missing;
#   - Chromium (Debian package chromium) and axe-core, so the tests can open the static site in a real browser
#     and check its accessibility: Chromium (and npm, to fetch axe-core) installed the same way, only as root
#     and where missing; axe-core at a pinned version into .cache/axe-core (scripts/install_axe.sh);
#   - a virtual environment .venv with this package and its test dependencies, at the exact versions
#     in constraints.txt (the Parquet and PNG bytes depend on them);
#   - `nk-troops validate` (fails if the published files are out of date with the records),
#     then `nk-troops build` (writes the CSV/Parquet tables, schemas, codebook, datapackage.json).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v Rscript >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends r-base-core r-cran-readr r-cran-jsonlite >/dev/null
fi
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if command -v npm >/dev/null 2>&1; then
  bash scripts/install_axe.sh
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e '.[test]'
# cffconvert (validates CITATION.cff in the tests) pins a ruamel.yaml that does not build on Python 3.11:
# install it without its pins; its real dependencies come with the test extra.
.venv/bin/python -m pip install -q -c constraints.txt --no-deps cffconvert
.venv/bin/nk-troops validate
.venv/bin/nk-troops build
