# Image of examples/prometheus-metrics for docker/compose.yaml. Build context: the repository root.
FROM node:20-bookworm

ENV TURBO_TELEMETRY_DISABLED=1 \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
RUN npm install -g pnpm@10.34.9

WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm exec turbo run build --filter=@kcl/example-prometheus-metrics... --output-logs=errors-only

WORKDIR /app/examples/prometheus-metrics
ENV LISTEN_HOST=0.0.0.0 \
    PORT=9464
EXPOSE 9464
# Without KCL_KINESIS_ENDPOINT / KCL_DYNAMODB_ENDPOINT it would start its own in-process stand-ins instead.
CMD ["node", "dist/main.js", "--forever"]
