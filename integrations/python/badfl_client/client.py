"""Client side of badfl.v1.Aggregation: sessions, chunked float32 streams, numpy in and out."""
import dataclasses
import struct
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import grpc
import numpy as np

from ._proto import aggregation_pb2 as pb
from ._proto import aggregation_pb2_grpc as pb_grpc

# 1 MiB of float32 per message: well under gRPC's default 4 MiB message limit.
DEFAULT_CHUNK_VALUES = 1 << 18


@dataclasses.dataclass(frozen=True)
class Verdict:
    """badfl's judgement of one client's update in one round."""
    client_id: int
    status: str  # "ACCEPTED", "CLIPPED" or "REJECTED"
    flagged: bool  # judged malicious by the defense
    reason: str


@dataclasses.dataclass(frozen=True)
class RoundResult:
    round: int
    parameters: List[np.ndarray]  # the new global model, shaped like the session's initial parameters
    verdicts: List[Verdict]  # one per update sent this round, in client id order
    note: str
    previous_global_kept: bool


def layout_of(arrays: Sequence[np.ndarray], names: Optional[Sequence[str]] = None) -> List[pb.Parameter]:
    """The parameter layout of a list of arrays: 1-D arrays are biases, others weights (defenses that treat
    kinds differently use it). Names default to param_0, param_1, ..."""
    if names is not None and len(names) != len(arrays):
        raise ValueError("layout: %d names for %d arrays" % (len(names), len(arrays)))
    out = []
    for i, a in enumerate(arrays):
        a = np.asarray(a)
        if a.size == 0:
            raise ValueError("layout: array %d is empty" % i)
        out.append(pb.Parameter(name=names[i] if names else "param_%d" % i, size=int(a.size),
                                kind=pb.BIAS if a.ndim == 1 else pb.WEIGHT))
    return out


def write_inspection_set(path: str, images: np.ndarray, labels: np.ndarray) -> None:
    """Writes BADFL's clean inspection set for the service to read from its disk: images N x C x H x W,
    preprocessed exactly as the federation's training inputs, labels N (format: InspectionSet in badfl-service)."""
    images = np.ascontiguousarray(images, dtype="<f4")
    labels = np.ascontiguousarray(labels, dtype="<i4")
    if images.ndim != 4 or labels.shape != (images.shape[0],):
        raise ValueError("inspection set: images must be N x C x H x W and labels N, found %s and %s"
                         % (images.shape, labels.shape))
    if not np.all(np.isfinite(images)):
        raise ValueError("inspection set: images hold NaN or Inf")
    with open(path, "wb") as f:
        f.write(b"BADFLINS")
        f.write(struct.pack("<4i", *images.shape))
        f.write(labels.tobytes())
        f.write(images.tobytes())


def _flatten(arrays: Sequence[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=np.float32).ravel() for a in arrays]).astype("<f4", copy=False)


def _chunks(flat: np.ndarray, per: int) -> Iterable[pb.Chunk]:
    data = flat.astype("<f4", copy=False)
    for seq, start in enumerate(range(0, data.size, per)):
        yield pb.Chunk(sequence=seq, data=data[start:start + per].tobytes())


class AggregationClient:
    """A channel to ``badfl serve``. ``token``: the service's bearer token; ``root_certificates``: PEM bytes of
    the CA (or self-signed certificate) to trust for TLS; without them the channel is plaintext."""

    def __init__(self, target: str = "127.0.0.1:50051", token: Optional[str] = None,
                 root_certificates: Optional[bytes] = None, chunk_values: int = DEFAULT_CHUNK_VALUES):
        options = [("grpc.max_receive_message_length", 8 << 20), ("grpc.max_send_message_length", 8 << 20)]
        if root_certificates is not None:
            self._channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates), options)
        else:
            self._channel = grpc.insecure_channel(target, options)
        self._stub = pb_grpc.AggregationStub(self._channel)
        self._metadata = (("authorization", "Bearer " + token),) if token else ()
        if not 1 <= chunk_values <= (1 << 20):
            raise ValueError("chunk_values must be in [1, 2^20], found %d" % chunk_values)
        self.chunk_values = chunk_values

    def wait_ready(self, timeout: float = 30.0) -> None:
        grpc.channel_ready_future(self._channel).result(timeout=timeout)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def open_session(self, defense: str, initial_parameters: Sequence[np.ndarray], seed: int, total_rounds: int,
                     options: Optional[Dict[str, str]] = None, names: Optional[Sequence[str]] = None,
                     inspection_model: Optional[str] = None, inspection_set_path: Optional[str] = None,
                     classes: int = 10) -> "AggregationSession":
        """Opens a session (one training run) with a defense of badfl's catalogue and its options as text.
        BADFL's neuron inspection needs ``inspection_model`` (a name of ``badfl models`` whose layout matches
        the parameters) and ``inspection_set_path`` (a file on the service's disk, see write_inspection_set)."""
        spec = pb.SessionSpec(defense=defense, seed=seed, total_rounds=total_rounds,
                              layout=layout_of(initial_parameters, names))
        for k, v in (options or {}).items():
            spec.options[k] = str(v)
        if inspection_model or inspection_set_path:
            spec.inspection.CopyFrom(pb.Inspection(model=inspection_model or "",
                                                   inspection_set_path=inspection_set_path or "", classes=classes))
        flat = _flatten(initial_parameters)

        def messages():
            yield pb.OpenSessionMessage(spec=spec)
            for c in _chunks(flat, self.chunk_values):
                yield pb.OpenSessionMessage(initial_global=c)

        opened = self._stub.OpenSession(messages(), metadata=self._metadata)
        shapes = [np.asarray(a).shape for a in initial_parameters]
        return AggregationSession(self, opened.session_id, shapes, flat, opened.next_round, opened.note)

    def resume_session(self, session_id: str, shapes: Sequence[Tuple[int, ...]],
                       global_parameters: Sequence[np.ndarray]) -> "AggregationSession":
        """A session opened earlier (e.g. before this FL server restarted), at the round the service is at."""
        status = self._stub.GetSession(pb.SessionRef(session_id=session_id), metadata=self._metadata)
        return AggregationSession(self, session_id, list(shapes), _flatten(global_parameters), status.next_round, "")


class AggregationSession:
    """One training run on the service. Keeps the current global model so that Flower-style results (client
    parameters W_i) can be sent as updates W_i - G."""

    def __init__(self, client: AggregationClient, session_id: str, shapes, global_flat: np.ndarray,
                 next_round: int, note: str):
        self._client = client
        self.session_id = session_id
        self.shapes = [tuple(s) for s in shapes]
        self.global_flat = global_flat
        self.round = next_round
        self.note = note

    @property
    def parameters(self) -> List[np.ndarray]:
        out, at = [], 0
        for s in self.shapes:
            n = int(np.prod(s)) if s else 1
            out.append(self.global_flat[at:at + n].reshape(s).copy())
            at += n
        return out

    def send_update(self, client_id: int, delta: Sequence[np.ndarray], num_examples: int) -> int:
        """Streams one client's update Δ = W - G of the current round; returns the updates the round holds."""
        flat = _flatten(delta)
        header = pb.UpdateHeader(session_id=self.session_id, round=self.round, client_id=int(client_id),
                                 num_samples=int(num_examples), total_values=int(flat.size))

        def messages():
            yield pb.UpdateMessage(header=header)
            for c in _chunks(flat, self._client.chunk_values):
                yield pb.UpdateMessage(chunk=c)

        return self._client._stub.SendUpdate(messages(), metadata=self._client._metadata).updates_in_round

    def aggregate(self) -> RoundResult:
        """Aggregates the round's updates; the session moves to the next round."""
        stream = self._client._stub.Aggregate(pb.AggregateRequest(session_id=self.session_id, round=self.round,
                                                                  chunk_values=self._client.chunk_values),
                                              metadata=self._client._metadata)
        outcome = None
        parts = []
        expected_sequence = 0
        for message in stream:
            if message.WhichOneof("part") == "outcome":
                outcome = message.outcome
            else:
                chunk = getattr(message, "global")  # 'global' is a Python keyword
                if chunk.sequence != expected_sequence:
                    raise RuntimeError("aggregate: chunk %d arrived, expected %d" % (chunk.sequence, expected_sequence))
                expected_sequence += 1
                parts.append(np.frombuffer(chunk.data, dtype="<f4"))
        if outcome is None:
            raise RuntimeError("aggregate: the service sent no outcome")
        flat = np.concatenate(parts) if parts else np.zeros(0, dtype="<f4")
        if flat.size != outcome.total_values:
            raise RuntimeError("aggregate: received %d values, expected %d" % (flat.size, outcome.total_values))
        self.global_flat = flat.astype(np.float32)
        self.round = outcome.round + 1
        verdicts = [Verdict(v.client_id, pb.VerdictStatus.Name(v.status), v.flagged, v.reason)
                    for v in outcome.verdicts]
        return RoundResult(outcome.round, self.parameters, verdicts, outcome.note, outcome.previous_global_kept)

    def aggregate_fit(self, results: Sequence[Tuple[Sequence[np.ndarray], int]],
                      client_ids: Optional[Sequence[int]] = None) -> Tuple[List[np.ndarray], List[Verdict]]:
        """What a Flower Strategy.aggregate_fit receives, as (client parameters, num_examples) per client:
        sends W_i - G for each, aggregates, and returns the new parameters with one verdict per client.
        ``client_ids`` (ints) default to the position in ``results``."""
        ids = list(range(len(results))) if client_ids is None else [int(c) for c in client_ids]
        if len(ids) != len(results):
            raise ValueError("aggregate_fit: %d client ids for %d results" % (len(ids), len(results)))
        for cid, (arrays, num_examples) in zip(ids, results):
            delta = _flatten(arrays) - self.global_flat
            self.send_update(cid, [delta], num_examples)
        result = self.aggregate()
        return result.parameters, result.verdicts

    def close(self) -> None:
        self._client._stub.CloseSession(pb.SessionRef(session_id=self.session_id), metadata=self._client._metadata)
