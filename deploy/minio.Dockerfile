# MinIO community edition ships as source only: build the same pinned version `make setup` builds.
FROM golang:1.24-bookworm AS build
RUN GOBIN=/out go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c \
 && GOBIN=/out go install github.com/minio/mc@v0.0.0-20250313080218-cf909e1063a9

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/minio /out/mc /usr/local/bin/
EXPOSE 9000 9001
ENTRYPOINT ["minio"]
