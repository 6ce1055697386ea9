#!/usr/bin/env bash
# Builds the GPU check bundle: a jlink'ed Java runtime + the shaded badfl jar + the check scripts, in one folder
# (under 64 MiB) that runs on a GPU machine with no network, Java or Maven:
#     benchmarks/gpu/package.sh [OUT_DIR]        (default: benchmarks/gpu/bundle)
#     scp -r OUT_DIR gpu-host: && ssh gpu-host OUT_DIR/gpu_check.sh
# Steps: build the shaded jar if it is missing or older than the sources (mvn, offline first); jlink the modules the
# jar needs (jdeps) plus the ones loaded reflectively; copy the jar without the native libraries it never loads on
# linux-x86_64 (JCuda's NVPTX compiler - the kernels come as a fatbin - and jline's natives for other platforms);
# strip the runtime's native symbol tables; check the total size.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here/bundle}"
limit_mib=64
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$root/pom.xml" | head -n 1)
jar="$root/java/cli/target/badfl-$version-all.jar"

if [ ! -f "$jar" ] || [ -n "$(find "$root"/java/*/src/main "$root/kernels" "$root/native" "$root/CMakeLists.txt" \
      "$root/pom.xml" -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
  echo "[package] building $jar"
  (cd "$root" && (mvn -q -B -o -pl java/cli -am -DskipTests package || mvn -q -B -pl java/cli -am -DskipTests package))
fi
if ! unzip -l "$jar" org/badfl/gpu/badfl.fatbin >/dev/null 2>&1; then
  echo "[package] WARNING: $jar has no org/badfl/gpu/badfl.fatbin (built without nvcc): the GPU cannot run the kernels" >&2
fi

rm -rf "$out"
mkdir -p "$out"
# Modules: what jdeps finds, plus those used reflectively or optionally: the Vector API (engine hot loops),
# jdk.unsupported (sun.misc.Unsafe in dependencies), java.management/java.logging (JVM diagnostics, libraries).
found=$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 "$jar" 2>/dev/null || echo java.base)
modules=$(echo "$found,java.desktop,java.logging,java.management,jdk.incubator.vector,jdk.unsupported" | tr ',' '\n' | sort -u | paste -sd, -)
echo "[package] jlink modules: $modules"
# The desktop natives a headless run never loads (X11, sound, splash screen, JPEG, colour management) stay out.
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --exclude-files='**libawt_xawt.so,**libjsound.so,**libsplashscreen.so,**libjavajpeg.so,**liblcms.so' \
  --output "$out/runtime"
# Native symbol tables (Debian's libjvm.so keeps one: 4 MiB) are not needed to run; the dynamic symbols stay.
if command -v strip >/dev/null 2>&1; then
  find "$out/runtime" -name '*.so' -exec strip --strip-unneeded {} +
fi

cp "$jar" "$out/badfl.jar"
# Never loaded on linux-x86_64 with our fatbin: JCuda's PTX compiler (24 MB) and jline's natives for other systems.
zip -q -d "$out/badfl.jar" 'lib/libJNvPTXCompiler-*' 'org/jline/nativ/Windows/*' 'org/jline/nativ/Mac/*' \
  'org/jline/nativ/FreeBSD/*' 'org/jline/nativ/Linux/arm*' 'org/jline/nativ/Linux/ppc64/*' 'org/jline/nativ/Linux/x86/*' \
  >/dev/null || true

cp "$here/gpu_check.sh" "$here/torch_gpu_bench.py" "$here/compare.awk" "$here/README.md" "$out/"
cp "$here/../python/torch_train_cpu.py" "$out/"  # the models torch_gpu_bench.py imports
cat > "$out/badfl" <<'LAUNCHER'
#!/usr/bin/env bash
# badfl with the bundled runtime (no Java needed on this machine).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/runtime/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -XX:MaxRAMPercentage=75 -Xss4m \
  ${BADFL_JAVA_OPTS:-} -jar "$here/badfl.jar" "$@"
LAUNCHER
chmod +x "$out/badfl" "$out/gpu_check.sh"

bytes=$(du -sb "$out" | cut -f1)
mib=$(( (bytes + 1048575) / 1048576 ))
echo "[package] $out: runtime $(du -sh "$out/runtime" | cut -f1), jar $(du -sh "$out/badfl.jar" | cut -f1), total ${mib} MiB (limit ${limit_mib} MiB)"
if [ "$bytes" -ge $(( limit_mib * 1048576 )) ]; then
  echo "[package] FAILED: the bundle is ${mib} MiB, over ${limit_mib} MiB" >&2
  exit 1
fi
