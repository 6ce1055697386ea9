"""Python client of badfl's aggregation service (``./badfl serve``, protocol badfl.v1.Aggregation).

An FL server hands each round's client results to badfl and gets back the robust aggregate with a verdict per
client::

    from badfl_client import AggregationClient
    client = AggregationClient("127.0.0.1:50051")
    session = client.open_session("flame", initial_parameters, seed=1, total_rounds=20)
    new_parameters, verdicts = session.aggregate_fit([(client_arrays, num_examples), ...])
"""
from .client import (AggregationClient, AggregationSession, RoundResult, Verdict, layout_of,
                     write_inspection_set)

__all__ = ["AggregationClient", "AggregationSession", "RoundResult", "Verdict", "layout_of",
           "write_inspection_set"]
