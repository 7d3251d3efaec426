# syntax=docker/dockerfile:1
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/precis . && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/precis /precis
COPY --from=build --chown=65532:65532 /out/data /data
# The SQLite database lives in /data; mount a volume there to keep it.
WORKDIR /data
ENV DATABASE_URL=sqlite:/data/precis.db \
    LOG_FORMAT=json
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s CMD ["/precis", "healthcheck"]
ENTRYPOINT ["/precis"]
CMD ["serve"]
