# Switchboard server: Node 24 LTS on Debian 13 (trixie), production dependencies only, non-root,
# with a health check. The image runs compiled JavaScript (npm run build), not tsx. Debian 13's
# glibc (2.41) loads the native uWebSockets.js build for Node 24 (src/transport/uws.ts); the
# same Node release is the one .ci/node24 tests in a Debian 13 root.
ARG NODE_IMAGE=node:24.22.3-trixie-slim
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
COPY scenarios ./scenarios
COPY scripts ./scripts
COPY web ./web
# Compiles the server and bundles the web pages (web/dist).
RUN npm run build

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Of the two uWebSockets.js builds' binaries (every platform and Node release, about 120 MB) only
# the one this image loads is kept: the newer build's for this Node and architecture. The image
# does not build if that binary does not load (src/transport/uws.ts tells at start which loaded).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
  && node -e "const fs = require('fs'), path = require('path'); \
    const keep = 'uws_' + process.platform + '_' + process.arch + '_' + process.versions.modules + '.node'; \
    for (const d of ['node_modules/uWebSockets.js', 'node_modules/@trufflesuite/uws-js-unofficial']) \
      for (const f of fs.readdirSync(d, { recursive: true })) \
        if (/^uws_.*\\.node$/.test(path.basename(f)) && path.basename(f) !== keep) fs.rmSync(path.join(d, f)); \
    require('uWebSockets.js');"
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY web/*.html web/*.css ./web/
COPY scenarios ./scenarios
USER node
EXPOSE 7070
# Metrics listen on loopback unless SWITCHBOARD_METRICS_HOST says otherwise (compose.yaml opens
# them to the compose network).
EXPOSE 9464
# Set SWITCHBOARD_AUTH_SECRET (32+ characters); without it the server refuses to start.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:7070/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/src/main.js", "serve"]
