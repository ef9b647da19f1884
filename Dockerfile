# One image, two roles: `dannguyen api` and `dannguyen worker` (see docker-compose.yml).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dannguyen ./cmd/dannguyen

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dannguyen /usr/local/bin/dannguyen
EXPOSE 8080 9091
ENTRYPOINT ["/usr/local/bin/dannguyen"]
CMD ["api"]
