"""Parses a Prometheus text-format scrape from stdin with prometheus_client's own parser and
prints the samples as JSON: [{"family", "type", "name", "labels", "value"}]. NaN becomes null."""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({
            "family": family.name,
            "type": family.type,
            "name": s.name,
            "labels": s.labels,
            "value": None if math.isnan(s.value) else s.value,
        })
json.dump(out, sys.stdout)
