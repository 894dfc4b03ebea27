"""Credit-risk model with a scikit-learn pipeline, grid search, and joblib persistence."""
import argparse
import json

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["age", "income", "debt_ratio", "open_lines", "late_90"]
CATEGORICAL = ["home_ownership", "purpose", "region"]


def make_pipeline(model):
    numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    categorical = Pipeline([("impute", SimpleImputer(strategy="most_frequent")), ("onehot", OneHotEncoder(handle_unknown="ignore"))])
    preprocess = ColumnTransformer([("num", numeric, NUMERIC), ("cat", categorical, CATEGORICAL)])
    return Pipeline([("preprocess", preprocess), ("model", model)])


def read_chunks(path, chunksize=50000):
    for chunk in pd.read_csv(path, chunksize=chunksize):
        chunk = chunk.dropna(subset=["defaulted"])
        yield chunk[NUMERIC + CATEGORICAL], chunk["defaulted"].astype(int)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/credit.csv")
    parser.add_argument("--out", default="models/credit")
    args = parser.parse_args()

    frame = pd.read_csv(args.data)
    x = frame[NUMERIC + CATEGORICAL]
    y = frame["defaulted"].astype(int)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, stratify=y, random_state=0)

    search = GridSearchCV(
        make_pipeline(GradientBoostingClassifier()),
        {"model__n_estimators": [100, 300], "model__max_depth": [2, 3], "model__learning_rate": [0.05, 0.1]},
        scoring="roc_auc",
        cv=5,
        n_jobs=-1,
    )
    search.fit(x_train, y_train)
    model = search.best_estimator_
    probabilities = model.predict_proba(x_test)[:, 1]
    print(classification_report(y_test, model.predict(x_test)))
    print("test AUC:", roc_auc_score(y_test, probabilities))
    joblib.dump(model, f"{args.out}.joblib")

    baseline = make_pipeline(LogisticRegression(max_iter=1000))
    baseline.fit(x_train, y_train)
    print("baseline AUC:", roc_auc_score(y_test, baseline.predict_proba(x_test)[:, 1]))
    joblib.dump(baseline, "models/credit_baseline")

    online = make_pipeline(SGDClassifier(loss="log_loss"))
    first_x, first_y = next(read_chunks(args.data))
    online.fit(first_x, first_y)
    for chunk_x, chunk_y in read_chunks(args.data):
        online.named_steps["model"].partial_fit(online.named_steps["preprocess"].transform(chunk_x), chunk_y)
    with open(f"{args.out}_params.json", "w") as f:
        json.dump({k: str(v) for k, v in search.best_params_.items()}, f)
    np.save(f"{args.out}_scores.npy", probabilities)


if __name__ == "__main__":
    main()
