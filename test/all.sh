#!/usr/bin/env bash
# Runs every test of holdfast: vet, unit and fuzz-seed tests, the race
# detector on the concurrent packages, the end-to-end test against a real
# Postfix on loopback, and a scan of the shared sample corpus when it is
# present beside the repository.
#
# Needs root: Postfix only runs as root, and missing Debian packages are
# installed with apt-get. Any failure stops the run with a non-zero status.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need, by the command that proves each is there.
declare -A need=([postfix]=/usr/sbin/postfix [chromium]=/usr/bin/chromium)

missing=()
for pkg in "${!need[@]}"; do
	[ -x "${need[$pkg]}" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "== installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# "No configuration" keeps the package from creating and starting a
	# system-wide Postfix on port 25; the tests run their own instance.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	apt-get -o DPkg::Lock::Timeout=600 update -q
	apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi

echo "== go vet"
go vet ./...

echo "== unit, fuzz-seed and end-to-end tests"
# HOLDFAST_E2E=1 turns a Postfix that cannot start into a test failure
# instead of a skip.
export HOLDFAST_E2E=1
# One test binary at a time: the QR test holds every image to its time
# budget, and the end-to-end tests wait on real servers, so neither should
# share the two cores with another package's tests. Building first keeps
# compilation parallel.
go build ./...
go test -count=1 -p 1 $(go list ./... | grep -v /test/corpus)

echo "== race detector"
go test -count=1 -race ./milter/... ./store/... ./sender/... ./cmd/...

echo "== shared corpus"
go test -count=1 -v -run 'TestCorpusScan' ./test/corpus
