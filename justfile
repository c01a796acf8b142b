# Tsudoi's everyday commands. The README shows the plain cargo commands; `just` is optional
# (`cargo install just --locked`).

# Run the service on the embedded defaults (SQLite file, .eml outbox) with demo data.
run:
    cargo run --release -p tsudoi -- serve --demo

# The test suite (SQLite; set TSUDOI_TEST_POSTGRES_URL to add PostgreSQL).
test:
    cargo test --workspace

# Exactly what CI runs.
ci:
    bash .ci/run

# Load benchmarks against a release build; figures go into BENCHMARKS.md.
bench *ARGS:
    cargo build --release -p tsudoi -p tsudoi-bench
    target/release/tsudoi-bench --server target/release/tsudoi {{ARGS}}

# A bounded schemathesis pass against a server with demo data and a valid token.
fuzz-api:
    cargo build -p tsudoi
    bash scripts/fuzz-api.sh target/debug/tsudoi

fmt:
    cargo fmt --all

clippy:
    cargo clippy --workspace --all-targets -- -D warnings

# Regenerate the checked-in OpenAPI document after an API change (review the diff!).
openapi:
    TSUDOI_UPDATE_OPENAPI=1 cargo test -p tsudoi-tests openapi
