# Build a static holdfast binary, then run it as an unprivileged user in an
# image that holds nothing else.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/holdfast ./cmd/holdfast

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/holdfast /usr/local/bin/holdfast
USER nonroot:nonroot
# The milter listens on loopback by default; in a container it must listen
# on all interfaces for the MTA to reach it.
EXPOSE 8891
ENTRYPOINT ["/usr/local/bin/holdfast"]
CMD ["serve", "--config", "/etc/holdfast/holdfast.toml"]
