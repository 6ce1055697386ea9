"""Unit tests of badfl_client that need no running service: /usr/bin/python3 -m unittest discover -s tests"""
import os
import pathlib
import struct
import subprocess
import sys
import tempfile
import unittest

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from badfl_client import layout_of, write_inspection_set  # noqa: E402
from badfl_client import client as client_module  # noqa: E402
from badfl_client._proto import aggregation_pb2 as pb  # noqa: E402


class ClientTest(unittest.TestCase):

    def test_committed_stubs_match_the_proto(self):
        r = subprocess.run([sys.executable, str(HERE.parent / "generate_stubs.py"), "--check"], capture_output=True,
                           text=True)
        self.assertEqual(0, r.returncode, r.stderr)

    def test_layout_marks_vectors_as_biases(self):
        layout = layout_of([np.zeros((10, 784)), np.zeros(10)], ["fc.weight", "fc.bias"])
        self.assertEqual([("fc.weight", 7840, pb.WEIGHT), ("fc.bias", 10, pb.BIAS)],
                         [(p.name, p.size, p.kind) for p in layout])
        with self.assertRaises(ValueError):
            layout_of([np.zeros(3)], ["a", "b"])

    def test_chunks_are_little_endian_float32_in_sequence(self):
        flat = np.arange(10, dtype=np.float32)
        chunks = list(client_module._chunks(flat, 4))
        self.assertEqual([0, 1, 2], [c.sequence for c in chunks])
        self.assertEqual(struct.pack("<4f", 0, 1, 2, 3), chunks[0].data)
        self.assertEqual(8, len(chunks[2].data))

    def test_inspection_set_file_format(self):
        images = np.arange(2 * 1 * 2 * 3, dtype=np.float32).reshape(2, 1, 2, 3)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "set.bin")
            write_inspection_set(path, images, np.array([4, 7]))
            data = pathlib.Path(path).read_bytes()
        self.assertEqual(b"BADFLINS", data[:8])
        self.assertEqual((2, 1, 2, 3), struct.unpack("<4i", data[8:24]))
        self.assertEqual((4, 7), struct.unpack("<2i", data[24:32]))
        np.testing.assert_array_equal(images.ravel(), np.frombuffer(data[32:], dtype="<f4"))
        with self.assertRaises(ValueError):
            write_inspection_set(path, np.full((1, 1, 1, 1), np.nan), np.array([0]))


if __name__ == "__main__":
    unittest.main()
