"""A toy credit scoring model: a logistic score over three features."""
import json
import math
from pathlib import Path

WEIGHTS = json.loads((Path(__file__).parent / "weights.json").read_text())


def score(application: dict) -> float:
    z = WEIGHTS["bias"] + sum(WEIGHTS[k] * application[k] for k in ("income", "debt_ratio", "tenure"))
    return 1 / (1 + math.exp(-z))
