# syntax=docker/dockerfile:1
# Threadline collector + UI. Build from the repository root:
#   docker build -t threadline .
#   docker run -p 16686:16686 -p 4318:4318 -p 4317:4317 -p 9411:9411 -v threadline-data:/data threadline

# ---- build: dependencies (better-sqlite3 is native), TypeScript, the UI bundle ----
FROM node:20-bookworm AS build
# node-gyp's toolchain, for when better-sqlite3 has no prebuilt binary for this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Manifests first, so `npm ci` stays cached until they change. npm ci needs every
# workspace's package.json, the test workspace's too.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY ui/package.json ui/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund

COPY tsconfig.base.json tsconfig.json ./
COPY shared/ shared/
COPY server/ server/
COPY ui/ ui/
COPY scripts/build-ui.mjs scripts/cache-dir.mjs scripts/
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: built files and production dependencies only, as a non-root user ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    THREADLINE_HOST=0.0.0.0 \
    THREADLINE_DB=/data/threadline.db
WORKDIR /app

COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/shared/package.json shared/
COPY --from=build /app/shared/dist/ shared/dist/
COPY --from=build /app/server/package.json server/
COPY --from=build /app/server/dist/ server/dist/
COPY --from=build /app/ui/package.json ui/
COPY --from=build /app/ui/dist/ ui/dist/

# The image's `node` user (uid 1000) owns the data directory; a named volume mounted
# there starts out with that ownership.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data

# UI + query API, OTLP/HTTP, OTLP/gRPC, Zipkin v2
EXPOSE 16686 4318 4317 9411

HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.THREADLINE_HTTP_PORT || 16686) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Node is PID 1 here: Threadline handles SIGTERM itself (stop listening, write every
# accepted span, close the database), so `docker stop` loses nothing it acknowledged.
ENTRYPOINT ["node", "server/dist/main.js"]
