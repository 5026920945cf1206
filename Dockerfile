# The app image for docker-compose: Node 20 (librdkafka's binding needs Node, not Bun) with the
# system libraries the binding compiles against, and Bun as the package manager.
FROM node:20-bookworm
# The same Bun as scripts/setup.sh installs (stack/versions.test.ts checks they agree).
ARG BUN_VERSION=1.4.5
RUN apt-get update && apt-get install -y --no-install-recommends \
      libcurl4-openssl-dev libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev g++ make python3 \
    && rm -rf /var/lib/apt/lists/* && npm install -g "bun@${BUN_VERSION}"
WORKDIR /app
COPY package.json bun.lock ./
ENV CKJS_LINKING=dynamic npm_config_nodedir=/usr/local
RUN bun install --frozen-lockfile
COPY . .
