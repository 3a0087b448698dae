"""A hand-written Keras training step, as found in many TF 1.x repositories.

Run `flake8 --select=LP examples/` to see what it misses compared to
model.fit(), and `lp-fix --diff examples/train_loop.py` to see the fix.
"""
import numpy as np
from keras import backend as K
from keras.layers import BatchNormalization, Dense, Input
from keras.models import Model
from keras.optimizers import SGD


def build_model():
    inputs = Input(shape=(8,))
    hidden = BatchNormalization()(Dense(16, activation="relu")(inputs))
    return Model(inputs, Dense(1)(hidden))


def train(x_train, y_train, epochs=3, batch_size=32):
    model = build_model()
    x = model.inputs[0]
    y = K.placeholder(shape=(None, 1))
    loss = K.mean(K.square(model.outputs[0] - y))
    optimizer = SGD(lr=0.01, momentum=0.9)
    updates = optimizer.get_updates(loss=loss, params=model.trainable_weights)
    train_step = K.function([x, y], [loss], updates=updates)
    for epoch in range(epochs):
        for start in range(0, len(x_train), batch_size):
            xb = x_train[start:start + batch_size]
            yb = y_train[start:start + batch_size]
            (batch_loss,) = train_step([xb, yb])
        print("epoch", epoch, "loss", batch_loss)
    return model


if __name__ == "__main__":
    rng = np.random.RandomState(0)
    features = rng.normal(size=(256, 8)).astype("float32")
    train(features, features.sum(axis=1, keepdims=True))
