# Custom layers and models, as in the TensorFlow 2 "customization basics" and Keras guides.
import numpy as np
import tensorflow as tf

layer = tf.keras.layers.Dense(10, input_shape=(None, 5))
print(layer(tf.zeros([10, 5])).shape, len(layer.variables))


class MyDenseLayer(tf.keras.layers.Layer):  # expect: KSM201:warning
    def __init__(self, num_outputs):  # expect: KSM202:warning
        super(MyDenseLayer, self).__init__()
        self.num_outputs = num_outputs

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", shape=[int(input_shape[-1]), self.num_outputs])

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel)


dense = MyDenseLayer(10)
_ = dense(tf.zeros([10, 5]))
print([var.name for var in dense.trainable_variables])


class ResnetIdentityBlock(tf.keras.Model):  # expect: KSM201:warning
    def __init__(self, kernel_size, filters):  # expect: KSM202:warning
        super(ResnetIdentityBlock, self).__init__(name="")
        filters1, filters2, filters3 = filters
        self.conv2a = tf.keras.layers.Conv2D(filters1, (1, 1))
        self.bn2a = tf.keras.layers.BatchNormalization()
        self.conv2b = tf.keras.layers.Conv2D(filters2, kernel_size, padding="same")
        self.bn2b = tf.keras.layers.BatchNormalization()
        self.conv2c = tf.keras.layers.Conv2D(filters3, (1, 1))
        self.bn2c = tf.keras.layers.BatchNormalization()

    def call(self, input_tensor, training=False):
        x = self.conv2a(input_tensor)
        x = self.bn2a(x, training=training)
        x = tf.nn.relu(x)
        x = self.conv2b(x)
        x = self.bn2b(x, training=training)
        x = tf.nn.relu(x)
        x = self.conv2c(x)
        x = self.bn2c(x, training=training)
        x += input_tensor
        return tf.nn.relu(x)


block = ResnetIdentityBlock(1, [1, 2, 3])
_ = block(tf.zeros([1, 2, 3, 3]))
block.summary()

my_seq = tf.keras.Sequential([
    tf.keras.layers.Conv2D(1, (1, 1), input_shape=(None, None, 3)),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.Conv2D(2, 1, padding="same"),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.Conv2D(3, (1, 1)),
    tf.keras.layers.BatchNormalization(),
])
my_seq(tf.zeros([1, 2, 3, 3]))
my_seq.summary()


class MyModel(tf.keras.Model):  # expect: KSM201:warning
    def __init__(self, num_classes=10):  # expect: KSM202:warning
        super(MyModel, self).__init__(name="my_model")
        self.num_classes = num_classes
        self.dense_1 = tf.keras.layers.Dense(32, activation="relu")
        self.dense_2 = tf.keras.layers.Dense(num_classes, activation="sigmoid")

    def call(self, inputs):
        return self.dense_2(self.dense_1(inputs))


class ScaledDense(tf.keras.layers.Dense):  # expect: KSM203:information
    """Every argument goes to Dense, which records it in its own config."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(units=units, activation=activation, **kwargs)

    def call(self, inputs):
        return super().call(inputs) * 0.5


data = np.random.random((1000, 32))
labels = np.random.random((1000, 10))
model = MyModel(num_classes=10)
model.compile(optimizer=tf.keras.optimizers.RMSprop(0.001), loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(data, labels, batch_size=32, epochs=5)
model.save_weights("my_model.weights.h5")

# The same network as a Sequential model, called once on data before it is saved
sequential = tf.keras.Sequential([ScaledDense(32, activation="relu"), tf.keras.layers.Dense(10, activation="sigmoid")])  # expect: KSM301:information
sequential(tf.zeros((1, 32)))
sequential.compile(optimizer="rmsprop", loss="categorical_crossentropy")
sequential.save("sequential_guide.h5")

# An embedding layer defined first, then listed
embedding_layer = tf.keras.layers.Embedding(1000, 64)
text_model = tf.keras.Sequential([embedding_layer, tf.keras.layers.GlobalAveragePooling1D(), tf.keras.layers.Dense(1)])  # expect: KSM301:hint
text_model.compile(optimizer="adam", loss="mse")
