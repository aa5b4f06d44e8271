# setpass in a container. Build: docker build -t setpass .
#
# Run with a config file and a volume for the data directory:
#   docker run -p 8080:8080 \
#     -v /etc/setpass/config.toml:/etc/setpass/config.toml:ro \
#     -v setpass-data:/var/lib/setpass setpass
# where config.toml has at least (see config.toml.example):
#   [server]    listen = "0.0.0.0:8080", public_url = "https://setpass.example.com"
#   [database]  path = "/var/lib/setpass/setpass.db"
#   [keystone]  auth_url = "https://keystone.example.com:5000/v3"
# Without [secrets], the encryption key is generated once as /var/lib/setpass/setpass.key;
# keep that volume (or set secrets.key_file). A bind-mounted data directory must be
# writable by uid 10001.

FROM rust:1-bookworm AS builder
WORKDIR /src
# Dependencies first, against stub sources, so they are cached until Cargo.toml or
# Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY . .
# COPY keeps the context's timestamps, which may be older than the stub build's output.
RUN touch src/lib.rs src/main.rs && cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 setpass \
    && useradd --system --uid 10001 --gid setpass --home-dir /var/lib/setpass \
        --shell /usr/sbin/nologin setpass \
    && mkdir -p /etc/setpass /var/lib/setpass \
    && chown setpass:setpass /var/lib/setpass \
    && chmod 0700 /var/lib/setpass
COPY --from=builder /src/target/release/setpass /usr/local/bin/setpass
COPY config.toml.example /etc/setpass/config.toml.example
# The built-in mail templates, to copy and adapt ([email] text_template, html_template).
COPY templates /etc/setpass/templates.example
USER setpass
WORKDIR /var/lib/setpass
VOLUME ["/var/lib/setpass"]
EXPOSE 8080
ENV SETPASS_CONFIG=/etc/setpass/config.toml
ENTRYPOINT ["/usr/local/bin/setpass"]
