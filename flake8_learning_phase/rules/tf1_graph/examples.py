"""The program the graph family's rule pages start from: a small Keras model trained with
``sess.run``, each rule's example varying its layer and its feed."""

_SESSION_SCRIPT = '''\
import tensorflow as tf
from tensorflow.keras import backend as K

features = tf.placeholder(tf.float32, (None, 8))
labels = tf.placeholder(tf.float32, (None, 1))
net = tf.keras.Sequential([tf.keras.layers.Dense(16), tf.keras.layers.LAYER, tf.keras.layers.Dense(1)])
loss = tf.reduce_mean(tf.square(net(features) - labels))
train_op = tf.train.AdamOptimizer().minimize(loss)


def train(sess, batches):
    for xb, yb in batches:
        sess.run(train_op, feed_dict={features: xb, labels: yb FEED})
'''


def session_script(layer: str, feed: str = "") -> str:
    """The script with ``layer`` (``"Dropout(0.3)"``) between two Dense layers, and ``feed``
    (``", K.learning_phase(): 1"``) added to the feed dict of its run."""
    return _SESSION_SCRIPT.replace("LAYER", layer).replace(" FEED}", feed + "}")
