"""Small image-classification toolkit: backbones, augmentation, training."""
