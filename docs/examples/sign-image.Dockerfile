# The sign image: where KMM's signing builds run the kernel's sign-file (kmm.build.sign-image). sign-file is the same
# small program for every kernel; Debian ships it in linux-kbuild. Build and push it to a registry your cluster pulls
# from, then point the operator at it:
#   docker build -t REGISTRY/kmm-sign:1 -f docs/examples/sign-image.Dockerfile . && docker push REGISTRY/kmm-sign:1
#   kubectl -n kmm-system set env deployment/kmm-operator KMM_BUILD_SIGN_IMAGE=REGISTRY/kmm-sign:1
# It needs a POSIX shell (the signing step is a sh script) and sign-file at kmm.build.sign-file.
FROM docker.io/library/debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends linux-kbuild-6.1 libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/lib/linux-kbuild-6.1/scripts/sign-file /usr/local/bin/sign-file \
 && /usr/local/bin/sign-file 2>&1 | grep -q Usage
