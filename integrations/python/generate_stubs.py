"""Regenerates badfl_client/_proto/ from java/service/src/main/proto/badfl/v1/aggregation.proto.

    /usr/bin/python3 integrations/python/generate_stubs.py          # rewrite the stubs
    /usr/bin/python3 integrations/python/generate_stubs.py --check  # exit 1 if the committed stubs are stale

Uses grpc_tools (Debian: python3-grpc-tools). The generated service module imports its messages as a top-level
package ("from badfl.v1 import ..."); it is rewritten to a relative import so the stubs live inside badfl_client.
"""
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
PROTO_ROOT = HERE.parent.parent / "java" / "service" / "src" / "main" / "proto"
PROTO = "badfl/v1/aggregation.proto"
OUT = HERE / "badfl_client" / "_proto"


def generate():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", str(PROTO_ROOT), "--python_out=" + tmp,
                        "--grpc_python_out=" + tmp, PROTO], check=True)
        gen = pathlib.Path(tmp) / "badfl" / "v1"
        messages = (gen / "aggregation_pb2.py").read_text()
        services = (gen / "aggregation_pb2_grpc.py").read_text().replace(
            "from badfl.v1 import aggregation_pb2", "from . import aggregation_pb2")
        return {"aggregation_pb2.py": messages, "aggregation_pb2_grpc.py": services}


def main():
    files = generate()
    if "--check" in sys.argv:
        stale = [n for n, text in files.items() if not (OUT / n).exists() or (OUT / n).read_text() != text]
        if stale:
            print("stale stubs: " + ", ".join(stale) + "; run " + pathlib.Path(__file__).name, file=sys.stderr)
            return 1
        print("stubs match " + PROTO)
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text)
    (OUT / "__init__.py").write_text('"""Generated from ' + PROTO + ' by generate_stubs.py; do not edit."""\n')
    print("wrote " + ", ".join(sorted(files)) + " to " + str(OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
