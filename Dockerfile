# syntax=docker/dockerfile:1
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t precis .
#
# VERSION is what `precis version` prints (the build context has no .git,
# so Go cannot stamp one itself); it defaults to "dev".
FROM golang:1.26 AS build
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.buildVersion=${VERSION}" -o /out/precis . && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="precis" org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/precis /precis
COPY --from=build --chown=65532:65532 /out/data /data
# The SQLite database lives in /data. A named volume (-v precis-data:/data)
# works as is. A bind-mounted folder must be writable by the image's user,
# uid 65532: `sudo chown 65532:65532 ./data`, or run the container as the
# folder's owner with --user "$(id -u):$(id -g)".
VOLUME /data
WORKDIR /data
ENV DATABASE_URL=sqlite:/data/precis.db \
    LOG_FORMAT=json
# /healthz and /metrics. Publish it on loopback only (-p 127.0.0.1:8080:8080)
# unless your Prometheus scrapes from elsewhere; HTTP_ADDR=off turns it off.
EXPOSE 8080
USER nonroot:nonroot
# Asks /healthz on HTTP_ADDR; with HTTP_ADDR=off it has nothing to ask and
# reports healthy, so the container is not marked unhealthy forever.
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s CMD ["/precis", "healthcheck"]
ENTRYPOINT ["/precis"]
CMD ["serve"]
