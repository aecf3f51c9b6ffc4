#!/usr/bin/env bash
# Builds build-index's container image as an OCI layout in buildindex/target/image/ (tags
# "latest" and the project version), offline and without a container engine or a base image:
#   - a Java runtime made by jlink from the installed JDK (./with-jdk's), holding the modules
#     jdeps finds in the jar plus the few it cannot see (loaded as services);
#   - the shared libraries that runtime and SQLite's native library need (glibc: ldd on the build
#     machine), so the image needs no distribution underneath;
#   - /etc/passwd and /etc/group with the non-root user buildindex (65532), /tmp, and the data
#     volume /var/lib/build-index owned by it;
#   - buildindex/target/buildindex.jar and a default /etc/build-index/config.yaml (listen on every
#     interface, data in the volume).
# The jar is built first (mvn package, tests skipped) when it is missing or older than a source
# file or pom. Layers: runtime+libraries, then the application. Idempotent: the layout is made
# again from scratch on every run (the jdeps and jlink results are reused while their inputs are
# unchanged). Needs umoci (apt-get install umoci) and root (for the files' owners in the layers).
#   ops/image/build.sh
#   umoci unpack --image buildindex/target/image:latest bundle   # to look inside, or to run it
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=buildindex/target/image
WORK=buildindex/target/image-build
JAR=buildindex/target/buildindex.jar
APP_UID=65532
# Loaded through ServiceLoader or by name, which jdeps does not see: elliptic-curve TLS
# (jdk.crypto.ec; an empty shell on JDK 22+), DNS SRV/A lookups through JNDI (jdk.naming.dns),
# jcmd/jstack-style diagnostics of the running JVM (jdk.attach, jdk.jcmd is not needed).
EXTRA_MODULES=jdk.crypto.ec,jdk.naming.dns,jdk.attach

command -v umoci >/dev/null || { echo "build.sh: needs umoci (apt-get install -y umoci)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "build.sh: run as root (the layers record files owned by root and by uid $APP_UID)" >&2; exit 1; }
JDK=$(./with-jdk)

# 1. The jar, unless it is newer than every source file and pom.
if [ ! -f "$JAR" ] || [ -n "$(find . -path ./bench -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -newer "$JAR" -print -quit)" ]; then
  echo "build.sh: building $JAR"
  ./with-jdk mvn -B -q -DskipTests -Dbuildindex.revision="$(git rev-parse --short HEAD 2>/dev/null || true)" \
    -pl buildindex -am package
fi
VERSION=$(unzip -p "$JAR" io/buildindex/server/build.properties | sed -n 's/^version=//p')
REVISION=$(unzip -p "$JAR" io/buildindex/server/build.properties | sed -n 's/^revision=//p')
mkdir -p "$WORK"

# 2. The modules (jdeps takes a while on a 30 MB jar: reused while the jar is the same).
JAR_SUM=$(sha256sum "$JAR" | cut -d' ' -f1)
if [ "$(cat "$WORK/modules.jar-sha256" 2>/dev/null)" != "$JAR_SUM" ]; then
  "$JDK/bin/jdeps" --ignore-missing-deps --multi-release "$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2}')" --print-module-deps "$JAR" > "$WORK/modules.jdeps"
  echo "$JAR_SUM" > "$WORK/modules.jar-sha256"
fi
MODULES="$(tr -d '\n' < "$WORK/modules.jdeps"),$EXTRA_MODULES"

# 3. The runtime (reused while the JDK and the modules are the same).
STAMP="$JDK $("$JDK/bin/java" -version 2>&1 | head -1) $MODULES"
if [ "$(cat "$WORK/runtime.stamp" 2>/dev/null)" != "$STAMP" ]; then
  rm -rf "$WORK/runtime"
  # The desktop module (java.beans, which libraries reflect with) brings native AWT and sound
  # libraries that need X11 and ALSA; a server never loads them.
  "$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
    --exclude-files='**/libawt_xawt.so,**/libjsound.so,**/libsplashscreen.so' --output "$WORK/runtime"
  echo "$STAMP" > "$WORK/runtime.stamp"
fi

# 4. The base layer's tree: runtime, shared libraries, /etc, /tmp, the volume.
BASE=$WORK/base
# /proc, /dev and /sys are mount points for the runtime (the loader finds libjli.so through
# /proc/self/exe; SecureRandom reads /dev/urandom).
rm -rf "$BASE" && mkdir -p "$BASE/opt" "$BASE/etc" "$BASE/tmp" "$BASE/var/lib/build-index" "$BASE/proc" "$BASE/dev" "$BASE/sys"
cp -a "$WORK/runtime" "$BASE/opt/java"
unzip -o -q "$JAR" 'org/sqlite/native/Linux/x86_64/*' -d "$WORK/sqlite"
# Every library the runtime's binaries and SQLite's need, at the path the loader finds it at
# here (/lib64/ld-linux-x86-64.so.2, /lib/x86_64-linux-gnu/...), copied as files.
find "$BASE/opt/java" "$WORK/sqlite" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | { xargs -0 ldd 2>/dev/null || true; } | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u \
  | while read -r lib; do
      case "$lib" in "$ROOT"/*|"$BASE"/*|"$WORK"/*) continue ;; esac
      mkdir -p "$BASE$(dirname "$lib")"
      cp -L "$lib" "$BASE$lib"
    done
if [ ! -e "$BASE/lib64/ld-linux-x86-64.so.2" ]; then
  echo "build.sh: the dynamic loader was not found among the libraries (ldd output changed?)" >&2
  exit 1
fi
cat > "$BASE/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
buildindex:x:$APP_UID:$APP_UID:build-index:/var/lib/build-index:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
PASSWD
cat > "$BASE/etc/group" <<GROUP
root:x:0:
buildindex:x:$APP_UID:
nogroup:x:65534:
GROUP
printf 'hosts: files dns\n' > "$BASE/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$BASE/etc/hosts"
chmod 1777 "$BASE/tmp" # SQLite's JDBC driver unpacks its native library under java.io.tmpdir
chown "$APP_UID:$APP_UID" "$BASE/var/lib/build-index" && chmod 0750 "$BASE/var/lib/build-index"

# 5. The application layer's tree.
APP=$WORK/app
rm -rf "$APP" && mkdir -p "$APP/opt/build-index" "$APP/etc/build-index"
cp "$JAR" "$APP/opt/build-index/buildindex.jar"
cp ops/image/config.yaml "$APP/etc/build-index/config.yaml"

# 6. The OCI layout.
rm -rf "$OUT"
umoci init --layout "$OUT"
umoci new --image "$OUT:latest"
umoci insert --image "$OUT:latest" --history.comment "Java runtime (jlink: $MODULES), shared libraries, users" "$BASE" /
umoci insert --image "$OUT:latest" --history.comment "build-index $VERSION" "$APP" /
umoci config --image "$OUT:latest" \
  --config.user "$APP_UID:$APP_UID" \
  --config.entrypoint /opt/java/bin/java --config.entrypoint -jar --config.entrypoint /opt/build-index/buildindex.jar \
  --config.cmd --config --config.cmd /etc/build-index/config.yaml \
  --config.workingdir /var/lib/build-index \
  --config.volume /var/lib/build-index \
  --config.exposedports 15004/tcp \
  --config.env PATH=/opt/java/bin \
  --config.env JAVA_HOME=/opt/java \
  --config.label "org.opencontainers.image.title=build-index" \
  --config.label "org.opencontainers.image.version=$VERSION" \
  --config.label "org.opencontainers.image.revision=${REVISION:-unknown}" \
  --author build-index
umoci tag --image "$OUT:latest" "$VERSION"
umoci gc --layout "$OUT"
echo "build.sh: $OUT (tags latest, $VERSION): $(du -sh "$OUT" | cut -f1)"
