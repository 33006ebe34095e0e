def features(raw: dict) -> dict:
    return {
        "income": raw["income"] / 100_000,
        "debt_ratio": raw["debt"] / max(raw["income"], 1),
        "tenure": min(raw["years_at_address"], 10) / 10,
    }
