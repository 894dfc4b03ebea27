"""Product embeddings with gensim Word2Vec, then an XGBoost ranker on top of them."""
import numpy as np
import pandas as pd
import xgboost as xgb
from gensim.models import Word2Vec
from gensim.models.callbacks import CallbackAny2Vec


class LossLogger(CallbackAny2Vec):
    def __init__(self):
        self.epoch = 0

    def on_epoch_end(self, model):
        print(f"epoch {self.epoch}: loss {model.get_latest_training_loss()}")
        self.epoch += 1


def sessions(path):
    for chunk in pd.read_csv(path, chunksize=100000):
        for _, group in chunk.groupby("session_id"):
            yield group.sort_values("ts")["product_id"].astype(str).tolist()


corpus = list(sessions("clicks.csv"))
w2v = Word2Vec(vector_size=64, window=5, min_count=3, workers=4, compute_loss=True)
w2v.build_vocab(corpus)
w2v.train(corpus, total_examples=len(corpus), epochs=10, callbacks=[LossLogger()])
w2v.save("product2vec.model")
w2v.wv.save("product2vec.kv")

pairs = pd.read_csv("labelled_pairs.csv")


def pair_features(row):
    a = w2v.wv[str(row.query_product)]
    b = w2v.wv[str(row.candidate_product)]
    return np.concatenate([a * b, np.abs(a - b), [float(a @ b)]])


features = np.stack([pair_features(row) for row in pairs.itertuples()])
ranker = xgb.XGBRanker(objective="rank:pairwise", n_estimators=300, max_depth=6, learning_rate=0.1)
ranker.fit(features, pairs["label"], group=pairs.groupby("query_product").size().to_numpy())
ranker.save_model("ranker.json")
booster = ranker.get_booster()
booster.save_model("ranker.ubj")
print(ranker.predict(features[:10]))
