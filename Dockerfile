# Build stage: the official Swift 6.3 image (the toolchain the project is built and tested with) with the SQLite, zlib and libmagic headers.
FROM swift:6.3-noble AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsqlite3-dev zlib1g-dev libmagic-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift openapi.yaml ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Migrations ./Migrations
# The manifest names the benchmark tool's target too; without its sources the package does not load.
COPY Benchmarks ./Benchmarks
RUN swift build -c release --product medvirk --static-swift-stdlib \
 && install -D "$(swift build -c release --show-bin-path)/medvirk" /out/medvirk

# Runtime stage: the binary, its migrations and contract, SQLite, zlib and libmagic (with its compiled database), a non-root user.
FROM ubuntu:noble
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsqlite3-0 zlib1g libmagic1 libmagic-mgc curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin medvirk \
 && mkdir -p /data && chown medvirk:medvirk /data
COPY --from=build /out/medvirk /usr/local/bin/medvirk
COPY --from=build /src/Migrations /usr/share/medvirk/Migrations
COPY --from=build /src/openapi.yaml /usr/share/medvirk/openapi.yaml
USER medvirk
WORKDIR /data
VOLUME /data
ENV MEDVIRK_DB=/data/medvirk.sqlite \
    MEDVIRK_HOST=0.0.0.0 \
    MEDVIRK_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["medvirk"]
CMD ["serve"]
