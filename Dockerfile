# `condinst` in a container that needs neither .NET nor Python: a self-contained single-file linux-x64 build on
# the runtime-deps base (the C library, OpenSSL, zlib: what a self-contained .NET program needs), as a non-root user.
#   docker build -t condinst .
#   docker run --rm -p 8080:8080 -p 8081:8081 condinst                  # serves the shipped demo model
#   docker run --rm -v $PWD/models:/models -e CONDINST_WEIGHTS=/models/model.pth -p 8080:8080 condinst
# Settings are flags after `serve` or CONDINST_* variables (README "Serving"). See deploy/ for Kubernetes.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/CondInst.Kernels.Cli -c Release -r linux-x64 --self-contained \
        -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -o /out \
    && rm -f /out/*.pdb /out/*.xml

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime
COPY --from=build /out/condinst /opt/condinst/condinst
COPY weights/shapes/shapes.pth /opt/condinst/weights/shapes.pth
# The server listens on every interface inside the container (the default is loopback only).
ENV CONDINST_HOST=0.0.0.0 \
    CONDINST_PORT=8080 \
    CONDINST_GRPC_PORT=8081 \
    CONDINST_WEIGHTS=/opt/condinst/weights/shapes.pth \
    DOTNET_gcServer=0
EXPOSE 8080 8081
# The non-root user the .NET base images define.
USER $APP_UID
# Ready = model loaded and warmed up. runtime-deps has bash but no curl: a raw HTTP request over /dev/tcp.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /v2/health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/opt/condinst/condinst"]
CMD ["serve"]
