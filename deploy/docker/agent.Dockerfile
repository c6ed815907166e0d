# syntax=docker/dockerfile:1
# Agent image: forge-fence (self-contained .NET) + forge-agent (Native AOT: the binary the sandbox and the tests run
# and whose footprint benchmarks/README.md reports), cardano-node (static release binary and its
# bundled network configs), and curl for the guide's debug commands. It contains no key material: the
# credentials come from a Secret at run time. Build from the repository root:
#   docker build -f deploy/docker/agent.Dockerfile -t cardano-forge/agent:TAG .

ARG CARDANO_NODE_VERSION=10.5.1

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Native AOT links with clang
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY hocon/ hocon/
COPY src/ src/
# PublishAot comes from NodeAgent.csproj (given here it would reach Forge.Actors too and fail its analyzers)
RUN dotnet publish src/NodeAgent/NodeAgent.csproj -c Release -r linux-x64 -o /out/forge-agent \
 && dotnet publish src/Fence/Fence.csproj -c Release -r linux-x64 --self-contained true \
      -p:PublishReadyToRun=true -o /out/forge-fence

FROM debian:bookworm-slim AS cardano
ARG CARDANO_NODE_VERSION
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && curl -fsSL -o /tmp/node.tgz \
      "https://github.com/IntersectMBO/cardano-node/releases/download/${CARDANO_NODE_VERSION}/cardano-node-${CARDANO_NODE_VERSION}-linux.tar.gz" \
 && mkdir -p /opt/cardano && tar -xzf /tmp/node.tgz -C /opt/cardano \
 && test -x /opt/cardano/bin/cardano-node

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS final
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=cardano /opt/cardano/bin/cardano-node /usr/local/bin/cardano-node
# Network configs and genesis files shipped with the release (/opt/cardano/config/mainnet/config.json, ...).
COPY --from=cardano /opt/cardano/share/ /opt/cardano/config/
COPY --from=build /out/forge-agent/forge-agent /opt/forge/agent/forge-agent
COPY --from=build /out/forge-fence/ /opt/forge/fence/
RUN ln -s /opt/forge/agent/forge-agent /usr/local/bin/forge-agent \
 && ln -s /opt/forge/fence/forge-fence /usr/local/bin/forge-fence
USER 10001:10001
EXPOSE 3001 8000 12798
ENTRYPOINT ["forge-fence"]
