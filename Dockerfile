# One image for every service; SERVICE selects the app to build and run (partner-registry, certificate-lifecycle, traffic-control, connection-tester, all-in-one).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG SERVICE=partner-registry
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx build ${SERVICE} --output-style=static && npm prune --omit=dev

FROM ${NODE_IMAGE}
ARG SERVICE=partner-registry
ENV NODE_ENV=production MODE=distributed PORT=3000 SERVICE=${SERVICE} DATA_DIR=/data
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/apps/${SERVICE} ./dist
COPY --from=build /src/package.json ./package.json
# DATA_DIR: SQLite files (embedded mode, EVENT_STORE=sqlite) and the bundled TSA's identity (certificate-lifecycle without TSA_URL).
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]
