"""Review sentiment model: training and serving."""
from sentiment.layers import AttentionPooling, MaskedMean
from sentiment.model import build_attention_model, build_baseline

__all__ = ["AttentionPooling", "MaskedMean", "build_attention_model", "build_baseline"]
__version__ = "1.4.2"
