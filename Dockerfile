# Switchboard server: Node 20, production dependencies only, non-root, with a health check.
# The image runs compiled JavaScript (npm run build), not tsx.
FROM node:20-bookworm-slim AS build
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

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
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
