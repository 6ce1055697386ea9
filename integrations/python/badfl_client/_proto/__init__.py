"""Generated from badfl/v1/aggregation.proto by generate_stubs.py; do not edit."""
