# The two commands a newcomer needs: `make up` (run the stack) and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: help setup up down status logs cluster-up cluster-down cluster-status test test-unit bench bench-pose clean

help:
	@echo "make up      set up what is missing, then start the local stack in the background"
	@echo "make down    stop everything 'make up' started"
	@echo "make status  processes, readiness, stream state"
	@echo "make cluster-up / cluster-down / cluster-status  the same on 3 NATS + 4 MinIO nodes"
	@echo "make logs    follow the services' logs (SERVICE=gateway for one)"
	@echo "make test    set up what is missing, then run all tests (unit, stack, browser, cluster, real)"
	@echo "make test-unit  only tests/unit: no services, about a minute"
	@echo "make bench   benchmarks (figures, never pass/fail); make bench-pose for the pose worker"
	@echo "make setup   only install what is missing (.venv, minio, mc, nats CLI, helm)"

setup:
	@bash deploy/setup.sh

up: setup
	@bash deploy/local/up.sh

down:
	@bash deploy/local/down.sh

status:
	@bash deploy/local/status.sh

logs:
	@bash deploy/local/logs.sh

cluster-up: setup
	@bash deploy/local/cluster-up.sh

cluster-down:
	@bash deploy/local/cluster-down.sh

cluster-status:
	@bash deploy/local/cluster-status.sh

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# The fast tier: pure code, choreo/, models, tracking; no MinIO, NATS or Chromium.
test-unit: setup
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

bench: setup
	$(PY) -m bench.pipeline_latency
	$(PY) -m bench.upload_url_load
	$(PY) -m bench.upload_throughput
	$(PY) -m bench.multipart_upload
	$(PY) -m bench.put_to_queued
	$(PY) -m bench.listener_sweep
	$(PY) -m bench.dance_analysis
	$(PY) -m bench.comparison
	$(PY) -m bench.cluster_throughput
	$(PY) -m bench.chunked_video
	$(PY) -m bench.real_corpus

# ULTRALYTICS_PYTHON=/path/to/python (a venv with ultralytics) adds Ultralytics' predict side by side.
bench-pose: setup
	$(PY) -m bench.pose_speed
	$(PY) -m bench.ultralytics_side_by_side $(if $(ULTRALYTICS_PYTHON),--ultralytics-python $(ULTRALYTICS_PYTHON))
	$(PY) -m bench.pose_int8
	$(PY) -m bench.host_ceiling
	$(PY) -m bench.gpu_serving

clean: down cluster-down
	rm -rf .state .state-cluster
