# The aigate GitHub App (docs/deployment.md). Build: docker build -t aigate .
# Stage 1 compiles with the development dependencies; stage 2 runs the compiled App with the
# production dependencies only, as the unprivileged `node` user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY app.yml ./
USER node
EXPOSE 3000
# Liveness only: readiness (/aigate/readyz) belongs to the load balancer or orchestrator.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/aigate/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# npm passes SIGTERM on to the App, which drains in-flight work (AIGATE_SHUTDOWN_TIMEOUT).
STOPSIGNAL SIGTERM
CMD ["npm", "start"]
