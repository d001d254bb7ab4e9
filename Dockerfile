# syntax=docker/dockerfile:1
# tenantgraph API image. Build stage: dependencies (npm ci; its postinstall generates the
# Prisma clients), then only production dependencies are kept. Runtime stage: node_modules,
# the TypeScript sources (the API runs them through tsx), the Prisma schemas and SQL
# migrations, and the operator CLI built ahead of time (bin/build-cli.js: `tenantgraph` starts
# in about a third of the time tsx takes), as the unprivileged "node" user. The same image
# runs `migrate` (one-shot) and the API.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# What npm ci's postinstall (npm run generate) needs, before the rest, for layer caching.
COPY package.json package-lock.json prisma.config.ts ./
COPY bin ./bin
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run generate --silent \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
# Built here, after every COPY, so that no source is newer than the build (bin/tenantgraph.js
# would try to build again, as "node", where it may not write); then started once, so that an
# image whose CLI cannot start is never built.
RUN node bin/build-cli.js && node bin/tenantgraph.js --help > /dev/null
# DATA_DIR (default .tenantgraph): the only place the process writes (generated local secrets).
RUN mkdir -p /app/.tenantgraph && chown node:node /app/.tenantgraph
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT ?? 4000}/health/db`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# 32 MB semi-spaces (V8's default is 16): a page's objects live as long as its request, and
# with smaller ones the requests in flight under load outlive a scavenge and are promoted
# (README "Production checklist": 10-25 % less CPU per request for about 50 MB of memory).
CMD ["node", "--max-semi-space-size=32", "--import", "tsx", "src/main.ts"]
