"""Entry point of `forecast-train`."""
import argparse
import json
from pathlib import Path

import numpy as np

from forecast.data import WindowDataset, read_meter
from forecast.model import build_forecaster, save_artifacts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--out", default="models")
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()

    values, hours = read_meter(args.csv)
    split = int(len(values) * 0.85)
    train = WindowDataset(values[:split], hours[:split], workers=4, use_multiprocessing=True)
    stats = (train.mean, train.std)
    val = WindowDataset(values[split:], hours[split:], stats=stats)

    model = build_forecaster()  # expect: KSM203
    model.fit(train, validation_data=val, epochs=args.epochs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_artifacts(model, out)
    model.save("models/forecaster_latest")  # expect: KSM502:error
    (out / "stats.json").write_text(json.dumps({"mean": float(stats[0]), "std": float(np.asarray(stats[1]))}))


if __name__ == "__main__":
    main()
