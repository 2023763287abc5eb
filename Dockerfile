# aksguard in a container: a static musl binary on distroless (no shell, no libc, nonroot).
#   docker build -t aksguard .
#   docker run --rm -v "$PWD:/src" aksguard scan .
# `--target shell` builds the same binary on distroless's busybox variant, for CI systems that run
# a script inside the job's image (GitLab CI). See docs/ci-systems.md.

FROM rust:1.85-bookworm AS build
WORKDIR /build
# A stripped binary (Cargo.toml's release profile keeps line tables for profiling).
ENV CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=symbols
# The musl target of the build machine's architecture (amd64 or arm64): a static binary, with the
# C runtime from the Rust target itself; musl-gcc compiles the one C dependency (mimalloc).
# Not pinned: the base image's tag moves with Debian's point releases, and a pinned version would
# stop installing when bookworm updates it.
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools \
    && rm -rf /var/lib/apt/lists/* \
    && rustup target add "$(uname -m)-unknown-linux-musl"
COPY Cargo.toml Cargo.lock README.md ./
COPY src ./src
COPY rules ./rules
COPY benches ./benches
RUN cargo build --release --locked --target "$(uname -m)-unknown-linux-musl" \
    && cp "target/$(uname -m)-unknown-linux-musl/release/aksguard" /aksguard \
    && /aksguard --version

FROM gcr.io/distroless/static-debian12:debug-nonroot AS shell
COPY --from=build /aksguard /usr/local/bin/aksguard
WORKDIR /src
ENTRYPOINT ["aksguard"]
CMD ["scan", "."]

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /aksguard /usr/local/bin/aksguard
WORKDIR /src
ENTRYPOINT ["aksguard"]
CMD ["scan", "."]
