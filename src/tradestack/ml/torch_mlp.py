"""A small CPU multilayer perceptron in PyTorch (the ``ml-torch`` extra)."""

from __future__ import annotations

from typing import Any

import numpy as np


def build(n_features: int, hidden: int = 32) -> Any:
    import torch

    return torch.nn.Sequential(
        torch.nn.Linear(n_features, hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden, hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden, 1),
    )


def fit(params: dict[str, Any], X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Full-batch Adam on standardised inputs; returns the network and its scaling."""
    import torch

    torch.manual_seed(int(params.get("seed", 0)))
    hidden = int(params.get("hidden", 32))
    epochs = int(params.get("epochs", 200))
    mean, std = X.mean(axis=0), X.std(axis=0) + 1e-12
    net = build(X.shape[1], hidden)
    xs = torch.tensor((X - mean) / std, dtype=torch.float32)
    ys = torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
    opt = torch.optim.Adam(net.parameters(), lr=float(params.get("lr", 1e-2)))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        opt.zero_grad()
        loss = loss_fn(net(xs), ys)
        loss.backward()
        opt.step()
    net.eval()
    return {"net": net, "mean": mean, "std": std, "hidden": hidden}


def predict_proba(state: dict[str, Any], X: np.ndarray) -> np.ndarray:
    import torch

    xs = torch.tensor((X - state["mean"]) / state["std"], dtype=torch.float32)
    with torch.no_grad():
        return torch.sigmoid(state["net"](xs)).numpy().reshape(-1).astype(np.float64)
