# swio: `make run` sets up and runs a default job; `make test` sets up and runs the tests.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
APT_PACKAGES = liburing-dev libaio-dev libblkid-dev zlib1g-dev fio hdparm fdisk lvm2
# What only the tests use: promtool checks the metrics, headless Chromium renders swio plot's pages.
TEST_APT_PACKAGES = prometheus chromium fonts-liberation python3 openmpi-bin strace

.PHONY: deps test-deps build release run test fuzz-short fuzz bench kevent-demo net-demo clean

# Installs the C libraries swio links against and fio/hdparm used by the comparison tests.
deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

# prometheus brings promtool; --no-install-recommends keeps Chromium's extras out.
test-deps: deps
	@if ! dpkg -s $(TEST_APT_PACKAGES) >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEST_APT_PACKAGES) >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: release
	.build/release/swio jobs/default.fio

# BaselineTests times swio against hdparm, so it runs on its own after the rest: run beside
# the other suites, their load once moved its median ratio past its 10% bound.
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '\.BaselineTests/'
	$(SWIFT) test --skip-build --filter '\.BaselineTests/'
	$(MAKE) fuzz-short

# libFuzzer over the readers of untrusted input (job files, command-line options, saved
# baselines): 20 s each here; `make fuzz` runs 10 minutes each (docs/fuzzing.md).
fuzz-short:
	bash fuzz/run.sh 20

fuzz:
	bash fuzz/run.sh 600

bench: release
	bash bench/run.sh

# The 2006 kevent experiment on a scratch loop device (or a plain file where loop devices are
# unavailable), with each job's bandwidth as a share of the hdparm-style baseline.
kevent-demo: release
	bash jobs/kevent-demo.sh

# The 2006 network experiments on loopback (jobs/net-2006), one table.
net-demo: release
	bash jobs/net-demo.sh

clean:
	rm -rf .build
