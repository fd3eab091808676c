# syntax=docker/dockerfile:1
#
# Container image of fortigate_session_exporter:
#   docker build -t fortigate_session_exporter:$(cat VERSION) \
#     --build-arg VERSION=$(cat VERSION) --build-arg REVISION=$(git rev-parse HEAD) .
#
# The runtime image is distroless/static: CA certificates, time zones and
# /etc/passwd, with no shell or package manager. The exporter runs as user 65534
# (nobody), reads the FortiGate password from /run/secrets/fortigate_password
# when no other password setting is given, and listens on port 9743.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src

# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
ARG VERSION=unknown
ARG REVISION=unknown
ARG BRANCH=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w \
        -X github.com/prometheus/common/version.Version=${VERSION} \
        -X github.com/prometheus/common/version.Revision=${REVISION} \
        -X github.com/prometheus/common/version.Branch=${BRANCH} \
        -X github.com/prometheus/common/version.BuildUser=docker" \
      -o /out/fortigate_session_exporter .

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/fortigate_session_exporter /bin/fortigate_session_exporter
USER 65534:65534
EXPOSE 9743
ENTRYPOINT ["/bin/fortigate_session_exporter"]
