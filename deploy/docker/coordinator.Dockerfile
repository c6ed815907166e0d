# syntax=docker/dockerfile:1
# Coordinator image. Build from the repository root:
#   docker build -f deploy/docker/coordinator.Dockerfile -t cardano-forge/coordinator:TAG .
# Framework-dependent publish on the ASP.NET Core runtime image (the coordinator serves /alive and /ready).
# ReadyToRun shortens start-up; trimming and native AOT are not used (the trimmed app crashes at start).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY hocon/ hocon/
COPY src/ src/
RUN dotnet publish src/Coordinator/Coordinator.csproj -c Release -o /out \
      -p:PublishReadyToRun=true -r linux-x64 --self-contained false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /out/ ./
# Non-root; the StatefulSet also sets runAsNonRoot/runAsUser 10001 and a read-only root filesystem.
USER 10001:10001
ENV DOTNET_gcServer=0 \
    DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
EXPOSE 4053 4054 8080 9100
ENTRYPOINT ["dotnet", "/app/forge-coordinator.dll"]
